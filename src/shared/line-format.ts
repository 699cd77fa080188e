// The line formats a serial device, a network source or a process plugin may speak, once for the
// host (which parses with them) and the window (which offers them in a list).

import { z } from 'zod';

/** 'auto' detects the format from the first lines. */
export const LINE_FORMATS = ['auto', 'plotter', 'csv', 'jsonl', 'kv'] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

export const ParserSchema = z.enum(LINE_FORMATS, { error: `parser must be ${orList(LINE_FORMATS)}` });

/** "a, b or c", for messages that list the choices. */
export function orList(items: readonly (string | number)[]): string {
  const s = items.map(String);
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}
