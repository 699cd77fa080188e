// A plugin instance's settings as stored and sent: name → number, text or true/false. What each
// plugin accepts is its own schema's business (plugin-config.ts); this is only the envelope.

import { z } from 'zod';

const configValue = z.custom<number | string | boolean>(
  (v) =>
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && v.length <= 4096) ||
    typeof v === 'boolean',
  {
    error: (iss) =>
      typeof iss.input === 'number'
        ? 'must be a finite number'
        : typeof iss.input === 'string'
          ? 'text is at most 4096 characters'
          : 'a setting is a number, text or true/false',
  },
);
export const ConfigValuesSchema = z.record(z.string().max(64), configValue);
