// A serial device's settings and their rules, once for every side: the contract checks what the
// window sends, the settings file checks what it reads back, SerialDevice checks what it is given
// (it is used on its own too), and the window's form checks as the technician types.

import { z } from 'zod';
import { orList, ParserSchema } from './line-format';

export const SERIAL_NAME_MAX = 64;
export const SERIAL_PREFIX_MAX = 64;
export const BAUD_RATE_MIN = 50;
export const BAUD_RATE_MAX = 4_000_000;
export const DATA_BITS = [5, 6, 7, 8] as const;
export const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export const STOP_BITS = [1, 1.5, 2] as const;

const BAUD_RANGE = `a whole number from ${BAUD_RATE_MIN} to ${BAUD_RATE_MAX.toLocaleString('en-US')}`;
const PORT_RULE = 'say which port: a path, a USB serial number, or vendor and product id';

/** Why a baud rate cannot be used (null when it can), in the words a form shows beside the field. */
export function baudRateProblem(baud: number): string | null {
  return Number.isInteger(baud) && baud >= BAUD_RATE_MIN && baud <= BAUD_RATE_MAX ? null : BAUD_RANGE;
}

/** Why a metric prefix cannot be used (null when it can); '' is fine: bare field names. */
export function prefixProblem(prefix: string): string | null {
  if (/\s/.test(prefix)) return 'no spaces in a prefix';
  if (prefix.length > SERIAL_PREFIX_MAX) return `at most ${SERIAL_PREFIX_MAX} characters`;
  return null;
}

const hexId = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{4}$/, `${what} is 4 hex digits`)
    .optional();

const fields = {
  name: z
    .string()
    .trim()
    .min(1, 'name is required')
    .max(SERIAL_NAME_MAX, `name is at most ${SERIAL_NAME_MAX} characters`),
  /** Metric prefix: `<prefix>.<field>`; '' for none. Absent: the name. */
  prefix: z
    .string()
    .refine((p) => prefixProblem(p) === null, { error: (iss) => `prefix: ${prefixProblem(String(iss.input))}` })
    .optional(),
  path: z.string().min(1).max(512).optional(),
  serialNumber: z.string().min(1).max(128).optional(),
  vendorId: hexId('vendor id'),
  productId: hexId('product id'),
  baudRate: z.number({ error: `baud rate must be ${BAUD_RANGE}` }).refine((n) => baudRateProblem(n) === null, {
    error: (iss) => `baud rate must be ${BAUD_RANGE}, got ${String(iss.input)}`,
  }),
  dataBits: z.literal(DATA_BITS, { error: `data bits must be ${orList(DATA_BITS)}` }).optional(),
  parity: z.enum(PARITIES, { error: `parity must be ${orList(PARITIES)}` }).optional(),
  stopBits: z.literal(STOP_BITS, { error: `stop bits must be ${orList(STOP_BITS)}` }).optional(),
  parser: ParserSchema,
};

type PortFields = {
  path?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
};
const saysWhichPort = (c: PortFields): boolean => !!(c.path || c.serialNumber || (c.vendorId && c.productId));

/** What the window sends and the settings keep: unknown keys are refused. */
export const SerialConfigSchema = z.object(fields).strict().refine(saysWhichPort, { error: PORT_RULE });
export type SerialConfig = z.infer<typeof SerialConfigSchema>;

/** The same rules for a config built in code (SerialDevice): keys it does not know are ignored. */
const SerialRules = z.object(fields).refine(saysWhichPort, { error: PORT_RULE });

/** Why a serial config cannot be used (the first few problems, each naming its field), or null. */
export function serialConfigProblem(config: unknown): string | null {
  const r = SerialRules.safeParse(config);
  if (r.success) return null;
  return r.error.issues
    .slice(0, 3)
    .map((i) => i.message)
    .join('; ');
}
