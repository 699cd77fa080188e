// Every way the contract can refuse a request, in the technician's words: for each request, wrong
// values are tried in every field (and every field of its nested settings), the real host's
// answer must say what failed in plain words — never "bad payload", a request's internal name, a
// field path or zod's own wording (as the window shows it, shownText) — and every field path a
// refusal can name has a label.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldLabel, requestSchemas, shownText, type RequestName } from '../../src/shared/contract';
import { localHostPerFile } from '../helpers/host';

const host = localHostPerFile();

/** What no technician should read. */
const JARGON =
  /bad payload|Invalid input|expected \w+, received|Unrecognized key|Too (big|small)|Invalid (URL|option|discriminator|string|element|key|value)|invalid_\w+|\b(config|gateway|settings|serial|camera|run|plugin|network|webcam|marker|command|state|app|demo)\.[a-zA-Z]+\b|NaN|\bundefined\b|\bnull\b/;

const WRONG: unknown[] = [12345, 'text', 'x'.repeat(5000), {}, [], true, -1, 1.5, ''];

/** The object schema inside optional/nullable wrappers, if it is one. */
function objectShape(schema: unknown): Record<string, unknown> | null {
  let s = schema as { unwrap?: () => unknown; shape?: Record<string, unknown> } | undefined;
  for (let i = 0; i < 4 && s && !s.shape && typeof s.unwrap === 'function'; i++) s = s.unwrap() as typeof s;
  return s?.shape ?? null;
}

/** Payloads that break each field of a request in turn, one level into nested settings too. */
function badPayloads(name: RequestName): unknown[] {
  const out: unknown[] = ['text', 42, [1], null, {}, { extra: 1 }];
  const shape = objectShape(requestSchemas[name]) ?? {};
  for (const [key, field] of Object.entries(shape)) {
    for (const w of WRONG) out.push({ [key]: w });
    const inner = objectShape(field);
    if (inner) {
      out.push({ [key]: { extra: 1 } });
      for (const k of Object.keys(inner)) for (const w of WRONG) out.push({ [key]: { [k]: w } });
    }
  }
  return out;
}

const names = Object.keys(requestSchemas) as RequestName[];

describe('the contract’s refusals, as the technician reads them', () => {
  it('every field path a refusal can name has a label, for every request', () => {
    const paths = new Map<string, string>();
    for (const name of names) {
      for (const payload of badPayloads(name)) {
        const r = (requestSchemas[name] as z.ZodType).safeParse(payload ?? {});
        if (r.success) continue;
        for (const i of r.error.issues) {
          if (i.path.length === 0) continue;
          paths.set(`${name} ${i.path.join('.')}`, fieldLabel(name, i.path) ?? '');
        }
      }
    }
    // The list is long (every request, every field): what matters is that none is unnamed.
    expect(paths.size).toBeGreaterThan(60);
    const unnamed = [...paths].filter(([, label]) => label === '' || label === 'A value').map(([p]) => p);
    expect(unnamed).toEqual([]);
  });

  for (const name of names) {
    it(`${name}: every refusal is a plain sentence`, async () => {
      let refused = 0;
      for (const payload of badPayloads(name)) {
        const r = await host().handle(name, payload);
        if (r.ok) continue;
        if (r.error.code !== 'bad-request') continue; // a well-formed request the handler refused
        refused++;
        const shown = shownText(r.error.message);
        expect(shown, JSON.stringify(payload)?.slice(0, 200)).toMatch(/^Could not [^.:]+[.:] /);
        expect(shown, JSON.stringify(payload)?.slice(0, 200)).not.toMatch(JARGON);
      }
      expect(refused).toBeGreaterThan(0);
    });
  }

  it('the window turns an older recorder’s wording into the same sentences', () => {
    expect(shownText('bad payload for run.start: name: give the run a name')).toBe(
      'Could not start the run. Run name: give the run a name.',
    );
    expect(
      shownText("Error invoking remote method 'bench:invoke': Error: serial.remove: no serial device with id x"),
    ).toBe('Could not remove the serial device: no serial device with id x');
    expect(shownText('Lost contact with the recorder')).toBe('Lost contact with the recorder');
  });
});
