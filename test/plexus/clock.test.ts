// One trustworthy clock: round-trip-compensated sync with the gateway, timestamps from a
// monotonic clock (immune to system clock jumps), periodic re-sync.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { TestGateway } from '../support/gateway';
import { clientFor, closeClients, sleep, until, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import type { ClockInfo } from '../../src/main/plexus';

let gw: TestGateway;
afterEach(async () => {
  await closeClients();
  await gw?.close();
  cleanupTempDirs();
});

function libfaketime(): string {
  for (const dir of [
    '/usr/lib/x86_64-linux-gnu/faketime',
    '/usr/lib/aarch64-linux-gnu/faketime',
    '/usr/lib/faketime',
  ]) {
    if (existsSync(dir)) {
      const f = readdirSync(dir).find((x) => x === 'libfaketime.so.1');
      if (f) return join(dir, f);
    }
  }
  throw new Error('libfaketime not found: install the Debian package "faketime" (.ci/run does)');
}

describe('clock', () => {
  for (const skew of [3_600_000, -3_600_000]) {
    it(`with the gateway clock ${skew > 0 ? 'ahead' : 'behind'} by 1 h and 50 ms latency, SDK time is within the reported uncertainty`, async () => {
      gw = await TestGateway.start();
      gw.setClockSkew(skew);
      gw.setLatency(50);
      const c = clientFor(gw);
      const syncs: ClockInfo[] = [];
      c.on('clock', (i) => syncs.push(i));
      await waitForStatus(c, 'connected', 5000);
      const info = c.clock();
      expect(info.source).toBe('gateway');
      expect(info.rttMs!).toBeGreaterThanOrEqual(100); // 50 ms each way (more: the handshake is delayed too)
      expect(info.uncertaintyMs).toBeCloseTo(info.rttMs! / 2, 6);
      expect(Math.abs(info.offsetMs - skew)).toBeLessThanOrEqual(info.uncertaintyMs! + 2);
      // Each leg takes at least the injected 50 ms, so round-trip compensation is off by at most
      // half the legs' difference: (rtt - 2 × 50) / 2 = uncertainty - 50 (+2 ms for whole-ms clock
      // readings, as in the bound above). On a quiet machine that is a few ms; a loaded one (the gateway
      // shares this event loop) widens both legs and the bound with them. Taking server_time_ms as
      // "now on receipt", as the Python SDK does, is off by the whole return leg, ≥ 50 ms, and
      // fails this unless the outbound leg was ~100 ms slower than the return.
      expect(Math.abs(info.offsetMs - skew)).toBeLessThanOrEqual(info.uncertaintyMs! - 50 + 2);
      expect(syncs).toHaveLength(1);
      const window: Array<[number, number]> = [];
      for (let k = 0; k < 5; k++) {
        const gwNow = gw.now();
        const sdkNow = c.now();
        expect(Math.abs(sdkNow - gwNow)).toBeLessThanOrEqual(info.uncertaintyMs! + 2);
        const before = gw.now();
        c.send('t', k);
        window.push([before, gw.now()]);
        await sleep(20);
      }
      expect((await c.flush()).delivered).toBe(true);
      // Each point's timestamp is gateway time at the moment of send(), within the bound (+1 ms rounding).
      const pts = gw.points.filter((p) => p.metric === 't');
      expect(pts.map((p) => p.value)).toEqual([0, 1, 2, 3, 4]);
      const u = info.uncertaintyMs! + 1;
      pts.forEach((p, k) => {
        expect(p.timestamp!).toBeGreaterThanOrEqual(window[k]![0] - u);
        expect(p.timestamp!).toBeLessThanOrEqual(window[k]![1] + u);
      });
      // The offset history is kept with the data.
      const db = new Database(join(c.dataDir, 'buffer.db'), { readonly: true });
      const rows = db.prepare('SELECT offset_ms AS o, uncertainty_ms AS u FROM clock_syncs').all() as Array<{
        o: number;
        u: number;
      }>;
      db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.o).toBeCloseTo(info.offsetMs, 3);
    });
  }

  it('re-syncs by a planned reconnect, losing and duplicating nothing', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw, { resyncIntervalMs: 300 });
    await waitForStatus(c, 'connected');
    let i = 0;
    const t = setInterval(() => {
      for (let k = 0; k < 10; k++) c.send('r', i++);
    }, 2);
    // Counted in reconnects, not in time: two planned ones mid-stream, the skew, then the re-sync
    // that finds it and one more after it, all while points flow.
    await until(() => gw.auths.length >= 3, 10_000, 'two planned reconnects');
    gw.setClockSkew(5000);
    await until(() => Math.abs(c.clock().offsetMs - 5000) < 100, 10_000, 'the new offset');
    const afterSkew = gw.auths.length;
    await until(() => gw.auths.length > afterSkew, 10_000, 'one more planned reconnect');
    clearInterval(t);
    expect((await c.flush()).delivered).toBe(true);
    expect(gw.connections.filter((x) => x.closeCode !== undefined && x.closeCode !== 1000)).toEqual([]);
    const values = gw.points.filter((p) => p.metric === 'r').map((p) => p.value);
    expect(values).toEqual([...Array(i).keys()]);
    expect(c.stats().resent).toBe(0);
  });

  it('before any sync, time comes from the system clock, then from the last known offset', async () => {
    gw = await TestGateway.start();
    gw.setClockSkew(120_000);
    const dir = tempDir();
    const a = clientFor(gw, { dataDir: dir });
    await waitForStatus(a, 'connected');
    await a.close();
    // Next session, HTTP only: no sync possible, the last offset is the best estimate.
    const b = clientFor(gw, { dataDir: dir, transport: 'http' });
    expect(b.clock().source).toBe('persisted');
    expect(Math.abs(b.now() - gw.now())).toBeLessThan(100);
    const fresh = clientFor(gw, { apiKey: null });
    expect(fresh.clock()).toMatchObject({ source: 'local', uncertaintyMs: null });
    // Between two readings of the system clock (a few ms either side for a monotonic clock that
    // drifts from it): not the 120 s the gateway's clock is off.
    const lo = Date.now();
    const now = fresh.now();
    const hi = Date.now();
    expect(now).toBeGreaterThanOrEqual(lo - 20);
    expect(now).toBeLessThanOrEqual(hi + 20);
  });

  it('a system clock jump does not move SDK timestamps', async () => {
    gw = await TestGateway.start();
    const dir = tempDir();
    const fakeFile = join(tempDir(), 'faketime');
    writeFileSync(fakeFile, '+0\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'clock-child.ts'), dir, gw.url, gw.wsUrl],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          LD_PRELOAD: libfaketime(),
          FAKETIME_TIMESTAMP_FILE: fakeFile,
          FAKETIME_NO_CACHE: '1',
          FAKETIME_DONT_FAKE_MONOTONIC: '1',
        },
      },
    );
    // `seen`: this process's monotonic clock when the line arrived (libfaketime is not loaded here).
    const ticks: Array<{ wall: number; sdk: number; status: string; seen: number }> = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      const [, wall, sdk, status] = l.split(' ');
      ticks.push({ wall: Number(wall), sdk: Number(sdk), status: status!, seen: performance.now() });
    });
    try {
      await until(
        () => ticks.some((t) => t.status === 'connected') && ticks.length >= 5,
        15_000,
        'the child to connect',
      );
      const jumpAt = ticks.length;
      writeFileSync(fakeFile, '+3600\n'); // the system clock jumps one hour ahead
      await until(() => ticks.length >= jumpAt + 6, 5000, 'ticks after the jump');
      const before = ticks[jumpAt - 1]!;
      const after = ticks.at(-1)!;
      expect(after.wall - before.wall).toBeGreaterThan(3_600_000); // the system clock did jump…
      // …the SDK clock just went on: it advanced as much as this process's clock did between the
      // two lines (they are 100 ms ticks, whose pace a loaded machine stretches), give or take
      // the pipe's delays — nowhere near the hour.
      const sdkStep = after.sdk - before.sdk;
      expect(sdkStep).toBeGreaterThan(0);
      expect(Math.abs(sdkStep - (after.seen - before.seen))).toBeLessThan(2_000);
      // The points at the gateway carry the same smooth timestamps: increasing, no step of an hour
      // (nominally 100 ms apart; seconds are allowed for a stalled child).
      await until(() => gw.points.filter((p) => p.metric === 'tick').length >= ticks.length - 2, 5000, 'points');
      const ts = gw.points.filter((p) => p.metric === 'tick').map((p) => p.timestamp!);
      const steps = ts.slice(1).map((t, k) => t - ts[k]!);
      expect(Math.max(...steps)).toBeLessThan(5_000);
      expect(Math.min(...steps)).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  }, 30_000);
});
