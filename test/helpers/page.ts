// Reading the technician's window in an e2e test: elements by test id, a figure as a number, a
// screenshot by name. The page is asked for on each call because the files open it in beforeAll,
// after these are made.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { SHOTS } from './window';

export interface PageReader {
  tid(id: string): Locator;
  /** A figure as shown ("1,234.56") as a number; NaN when there is none yet. */
  num(id: string): Promise<number>;
  /** The visible window as test-artifacts/screenshots/<name>.png. */
  shot(name: string): Promise<Buffer>;
}

export function pageReader(page: () => Page): PageReader {
  const tid = (id: string): Locator => page().getByTestId(id);
  return {
    tid,
    num: async (id) => {
      const t =
        (await tid(id)
          .textContent()
          .catch(() => null)) ?? '';
      return /\d/.test(t) ? Number(t.replace(/,/g, '')) : NaN;
    },
    shot: (name) => page().screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false }),
  };
}
