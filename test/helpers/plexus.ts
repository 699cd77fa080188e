// Helpers for client tests: a client wired to a test gateway, and waiting on conditions.
import { Plexus, type PlexusOptions, type Status } from '../../src/main/plexus';
import { TestGateway } from '../support/gateway';
import { cleanupTempDirs, tempDir } from './tmp';

export const KEY = 'plx_test_key';

const open: Plexus[] = [];

/** A client talking to `gw`, with short backoffs so tests of reconnection take seconds. */
export function clientFor(gw: TestGateway, opts: PlexusOptions = {}): Plexus {
  const c = new Plexus({
    apiKey: KEY,
    sourceId: 'rig-01',
    gatewayUrl: gw.url,
    gatewayWsUrl: gw.wsUrl,
    dataDir: tempDir(),
    reconnect: { baseMs: 100, capMs: 1000 },
    httpRetry: { baseMs: 100, capMs: 1000 },
    connectTimeoutMs: 3000,
    ...opts,
  });
  open.push(c);
  return c;
}

export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close({ timeoutMs: 500 }).catch(() => {})));
}

export async function until(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function waitForStatus(c: Plexus, status: Status, timeoutMs = 5000): Promise<void> {
  return until(
    () => c.status().status === status,
    timeoutMs,
    `status ${status} (now ${c.status().status}: ${c.status().detail ?? ''})`,
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every point in a client's local log (its SQLite file), decoded: for tests of what was recorded. */
export function readLog(
  dataDir: string,
): Array<{ class: string; metric: string; value: unknown; timestamp: number; tags?: Record<string, string> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(`${dataDir}/buffer.db`, { readonly: true });
  try {
    const rows = db.prepare('SELECT body FROM blocks ORDER BY first_seq').all() as Array<{ body: Buffer }>;
    return rows.flatMap((r) =>
      r.body
        .toString('utf8')
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
  } finally {
    db.close();
  }
}

const gateways: TestGateway[] = [];

/** Start a test gateway that `closeAll()` will stop. */
export async function gateway(opts: Parameters<typeof TestGateway.start>[0] = {}): Promise<TestGateway> {
  const g = await TestGateway.start(opts);
  gateways.push(g);
  return g;
}

/** afterEach of client tests: close every client, then every gateway, then the temp dirs. */
export async function closeAll(): Promise<void> {
  await closeClients();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  cleanupTempDirs();
}
