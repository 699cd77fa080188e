// The client benchmark's clients and data dirs: what one run opens (RunScope, closed by its cleanup
// even when the run failed or timed out), connecting, flushing until delivered, and the gateway's count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Plexus, type PlexusOptions, type Status } from '../../src/main/plexus';
import type { GatewayProcess } from '../../test/support/gateway-process';
import { API_KEY, int, log, now, sleep, until, withTimeout } from './helpers';

/** What one run opened, closed by its cleanup even when the run failed or timed out. */
export class RunScope {
  private readonly clients: Plexus[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly gw: GatewayProcess) {}

  client(sourceId: string, opts: PlexusOptions = {}): Plexus {
    const dataDir = mkdtempSync(join(tmpdir(), 'plexus-bench-'));
    this.dirs.push(dataDir);
    const c = new Plexus({
      apiKey: API_KEY,
      sourceId,
      gatewayUrl: this.gw.url,
      gatewayWsUrl: this.gw.wsUrl,
      dataDir,
      ...opts,
    });
    this.clients.push(c);
    return c;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) {
      await withTimeout(c.close({ timeoutMs: 1_000 }), 10_000, 'client.close()').catch((e: unknown) =>
        log(`  (closing a client failed: ${(e as Error).message})`),
      );
    }
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

export async function waitForStatus(c: Plexus, pred: (s: Status) => boolean, timeoutMs: number, what: string) {
  await until(() => pred(c.status().status), timeoutMs, `${what} (status now ${c.status().status})`);
}

export async function connectedClient(
  scope: RunScope,
  gw: GatewayProcess,
  sourceId: string,
  opts: PlexusOptions = {},
): Promise<Plexus> {
  const c = scope.client(sourceId, opts);
  const end = now() + 15_000;
  while (c.status().status !== 'connected') {
    await gw.stats(); // rejects at once when the gateway process is gone
    if (now() > end) throw new Error(`${sourceId} did not connect within 15 s (status ${c.status().status})`);
    await sleep(5);
  }
  return c;
}

/**
 * flush() until everything is delivered, checking between tries that the gateway process is
 * still there (so a dead gateway fails the run at once, not after the timeout). Resolves when
 * the client's own flush() resolved delivered, so the time it resolves is exact.
 */
export async function flushAll(c: Plexus, gw: GatewayProcess, timeoutMs: number, what: string): Promise<void> {
  const end = now() + timeoutMs;
  for (;;) {
    const f = await c.flush({ timeoutMs: 500 });
    if (f.delivered) return;
    await gw.stats();
    if (now() > end)
      throw new Error(`${what}: flush() did not deliver within ${timeoutMs / 1000} s (${f.pending} pending)`);
  }
}

export async function accepted(gw: GatewayProcess): Promise<number> {
  return (await gw.stats()).counters.acceptedPoints;
}

/** After a measurement: let the client deliver its backlog so the next run starts quiet. */
export async function settle(c: Plexus, gw: GatewayProcess, expectAtLeast: number, before: number): Promise<string> {
  await flushAll(c, gw, 120_000, 'after the measurement');
  const got = (await accepted(gw)) - before;
  if (got < expectAtLeast) throw new Error(`the gateway counted ${got} points, expected at least ${expectAtLeast}`);
  const st = c.stats();
  return `gateway counted ${int(got)}, resent ${int(st.resent)}, dropped ${int(st.dropped)}`;
}
