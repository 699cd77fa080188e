// A serial device's settings and their rules, once for every side: the contract checks what the
// window sends, the settings file checks what it reads back, SerialDevice checks what it is given
// (it is used on its own too), and the window's form checks as the technician types.

import { z } from 'zod';
import { orList, ParserSchema } from './line-format';
import { METRIC_PREFIX_MAX, metricPrefixFrom, metricPrefixProblem } from './names';

export const SERIAL_NAME_MAX = 64;
export const SERIAL_PREFIX_MAX = METRIC_PREFIX_MAX;
/** Per-field units and labels: how many fields, and how long each part may be. */
export const SERIAL_FIELDS_MAX = 200;
export const FIELD_NAME_MAX = 128;
export const FIELD_UNIT_MAX = 32;
export const FIELD_LABEL_MAX = 100;
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

/**
 * Why a metric prefix cannot be used (null when it can); '' is fine: bare field names. The one
 * metric prefix rule (names.ts), as for camera ids and plugin or network source names.
 */
export function prefixProblem(prefix: string): string | null {
  return prefix === '' ? null : metricPrefixProblem(prefix);
}

/**
 * The prefix a device's metrics get: the one set, or one derived from its display name ("PSU
 * bench" → `psu_bench`), so a free-text name never becomes part of a metric name.
 */
export function serialPrefix(c: { name: string; prefix?: string | undefined }): string {
  return c.prefix ?? metricPrefixFrom(c.name, 'serial');
}

/** The metric a field of this device is recorded as: `<prefix>.<field>`, or the bare field. */
export function serialMetric(c: { name: string; prefix?: string | undefined }, field: string): string {
  const p = serialPrefix(c);
  return p ? `${p}.${field}` : field;
}

/** A field's unit and label, as the technician set them in the device form. */
export const FieldInfoSchema = z
  .object({
    unit: z.string().trim().max(FIELD_UNIT_MAX, `a unit is at most ${FIELD_UNIT_MAX} characters`).optional(),
    label: z.string().trim().max(FIELD_LABEL_MAX, `a label is at most ${FIELD_LABEL_MAX} characters`).optional(),
  })
  .strict();
export type FieldInfo = z.infer<typeof FieldInfoSchema>;

const fieldName = z
  .string()
  .min(1, 'a field needs its name')
  .max(FIELD_NAME_MAX, `a field name is at most ${FIELD_NAME_MAX} characters`)
  .regex(/^\S+$/, 'a field name has no spaces (as the device sends it)');

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
  /** Unit and label per field (the metric suffix the line format produces: column, key, header). */
  fields: z
    .record(fieldName, FieldInfoSchema)
    .refine((f) => Object.keys(f).length <= SERIAL_FIELDS_MAX, {
      error: `units and labels for at most ${SERIAL_FIELDS_MAX} fields`,
    })
    .optional(),
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
