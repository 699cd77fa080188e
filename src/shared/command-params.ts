// The values of a plugin command the technician sends from the window: name → any JSON value (the
// plugin's handler judges them, as it does the platform's), bounded so a request stays small.

import { z } from 'zod';

const MAX_PARAMS = 32;
const MAX_JSON = 16 * 1024;

function paramsProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be a set of name → value';
  const keys = Object.keys(v);
  if (keys.length > MAX_PARAMS) return `at most ${MAX_PARAMS} values, got ${keys.length}`;
  if (keys.some((k) => k.length === 0 || k.length > 64)) return 'a value’s name is 1–64 characters';
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    return 'must be plain values (text, numbers, true/false, lists)';
  }
  if (json.length > MAX_JSON) return `at most ${MAX_JSON / 1024} KB in all, got ${Math.round(json.length / 1024)} KB`;
  return null;
}

export const CommandParamsSchema = z
  .custom<Record<string, unknown>>((v) => paramsProblem(v) === null, {
    error: (iss) => paramsProblem(iss.input) ?? 'must be a set of name → value',
  })
  .default({});

/** How the window asks for a parameter of this declared type. */
export type ParamInput = 'text' | 'number' | 'integer' | 'boolean' | 'json';

export function paramInput(type: string): ParamInput {
  const t = type.trim().toLowerCase();
  if (['int', 'integer', 'uint', 'long'].includes(t)) return 'integer';
  if (['float', 'double', 'number', 'real', 'decimal'].includes(t)) return 'number';
  if (['bool', 'boolean'].includes(t)) return 'boolean';
  if (['object', 'array', 'json', 'list', 'dict'].includes(t)) return 'json';
  return 'text';
}

/**
 * A parameter as typed in the window, as the value its declared type calls for: unset when left
 * blank, or why the text does not fit ("must be a whole number").
 */
export function paramValue(type: string, raw: string | boolean): { value?: unknown; problem?: string } {
  const input = paramInput(type);
  if (input === 'boolean') return { value: raw === true };
  const text = typeof raw === 'string' ? raw : '';
  if (input === 'text') return text === '' ? {} : { value: text };
  if (text.trim() === '') return {};
  if (input === 'json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { value: text }; // plain text is a fine value too; the handler judges it
    }
  }
  const n = Number(text.trim());
  if (!Number.isFinite(n)) return { problem: 'must be a number' };
  if (input === 'integer' && !Number.isInteger(n)) return { problem: 'must be a whole number' };
  return { value: n };
}
