// A network line source (a port on 127.0.0.1 any program can send lines to), once for the
// contract, the settings file and the window's form.

import { z } from 'zod';
import { ParserSchema } from './line-format';
import { SOURCE_NAME_RE, SOURCE_NAME_RULE } from './names';

/** Lower ports need administrator rights. */
export const LISTEN_PORT_MIN = 1024;
export const LISTEN_PORT_MAX = 65535;

/** Why a port cannot be listened on (null when it can), in the words a form shows beside the field. */
export function listenPortProblem(port: number): string | null {
  if (!Number.isInteger(port)) return `a whole number from ${LISTEN_PORT_MIN} to ${LISTEN_PORT_MAX}`;
  if (port < LISTEN_PORT_MIN || port > LISTEN_PORT_MAX)
    return `from ${LISTEN_PORT_MIN} to ${LISTEN_PORT_MAX} (lower ports need administrator rights)`;
  return null;
}

export const NetworkConfigSchema = z
  .object({
    name: z.string().regex(SOURCE_NAME_RE, SOURCE_NAME_RULE),
    protocol: z.enum(['tcp', 'udp']),
    port: z
      .number()
      .int('port must be a whole number')
      .min(LISTEN_PORT_MIN, `port must be ${LISTEN_PORT_MIN}–${LISTEN_PORT_MAX} (lower ones need administrator rights)`)
      .max(LISTEN_PORT_MAX, `port must be ${LISTEN_PORT_MIN}–${LISTEN_PORT_MAX}`),
    parser: ParserSchema,
  })
  .strict();
export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;
