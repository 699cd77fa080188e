// A command's spec as a plugin declared it (script: ctx.onCommand's third argument, crossing from
// the worker unchecked; process: plugin.json), kept to the shape the platform, the inbox and the
// window's command line rely on. A plugin's typo costs it a description, never the recorder.

import type { CommandParam, CommandSpec } from './api';

const text = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;

export function cleanCommandSpec(raw: unknown): CommandSpec {
  const s = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const spec: CommandSpec = {};
  const description = text(s.description, 500);
  if (description) spec.description = description;
  if (Array.isArray(s.params)) {
    const params: CommandParam[] = [];
    for (const p of s.params.slice(0, 32)) {
      if (typeof p !== 'object' || p === null) continue;
      const q = p as Record<string, unknown>;
      const name = text(q.name, 64);
      if (!name) continue;
      const param: CommandParam = { name, type: text(q.type, 32) ?? 'string' };
      const d = text(q.description, 500);
      if (d) param.description = d;
      params.push(param);
    }
    spec.params = params;
  }
  if (typeof s.timeoutMs === 'number' && Number.isFinite(s.timeoutMs) && s.timeoutMs > 0)
    spec.timeoutMs = Math.min(s.timeoutMs, 3_600_000);
  if (s.requiresApproval === true) spec.requiresApproval = true;
  return spec;
}
