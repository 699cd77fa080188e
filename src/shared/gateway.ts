// Where the data goes: the gateway setting and its URL rule, once for the host (which refuses a bad
// URL) and the window's form (which checks as the technician types).

import { z } from 'zod';

export type UrlScheme = 'http' | 'ws';

/** Why a gateway URL cannot be used (null when it can). `scheme`: http(s):// or ws(s)://. */
export function gatewayUrlProblem(url: string, scheme: UrlScheme): string | null {
  const re = scheme === 'http' ? /^https?:\/\/[^\s/]+/ : /^wss?:\/\/[^\s/]+/;
  // Said first and plainly: "http://bad host/" starts like a URL, and only the space is wrong.
  if (/\s/.test(url)) return 'a URL has no spaces: check the address';
  if (!re.test(url)) return `must be ${scheme === 'http' ? 'an' : 'a'} ${scheme}:// or ${scheme}s:// URL`;
  try {
    new URL(url);
    return null;
  } catch {
    return 'not a valid address: check the host name and port';
  }
}

const url = (scheme: UrlScheme) =>
  z.string().refine((s) => gatewayUrlProblem(s, scheme) === null, {
    error: (iss) => gatewayUrlProblem(String(iss.input), scheme) ?? 'not a valid address',
  });

export const GatewaySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('cloud') }).strict(),
  z.object({ mode: z.literal('custom'), url: url('http'), wsUrl: url('ws').optional() }).strict(),
  z.object({ mode: z.literal('local') }).strict(),
]);
export type GatewaySetting = z.infer<typeof GatewaySchema>;
