// Options, environment and defaults; backoff; batch timestamps.
import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway';
import { closeClients, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { Plexus } from '../../src/main/plexus';
import { deviceWsUrl, ingestUrl, sourceIdFromHostname, DEFAULT_GATEWAY_URL } from '../../src/main/plexus/config';
import { Backoff } from '../../src/shared/util';

let gw: TestGateway | undefined;
const saved = { ...process.env };
afterEach(async () => {
  await closeClients();
  await gw?.close();
  gw = undefined;
  cleanupTempDirs();
  for (const k of ['PLEXUS_API_KEY', 'PLEXUS_GATEWAY_URL', 'PLEXUS_GATEWAY_WS_URL']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('configuration', () => {
  it('defaults to the Plexus cloud, appending /ws/device when the WS URL has no path', () => {
    expect(ingestUrl(DEFAULT_GATEWAY_URL)).toBe('https://plexus-gateway.fly.dev/ingest');
    expect(deviceWsUrl(undefined, undefined)).toBe('wss://plexus-gateway.fly.dev/ws/device');
    expect(deviceWsUrl('ws://10.0.0.5:8080', undefined)).toBe('ws://10.0.0.5:8080/ws/device');
    expect(deviceWsUrl('ws://10.0.0.5:8080/custom/path', undefined)).toBe('ws://10.0.0.5:8080/custom/path');
    // A self-hosted gateway given only as its HTTP URL serves the WebSocket on the same host.
    expect(deviceWsUrl(undefined, 'http://plexus.local:8080')).toBe('ws://plexus.local:8080/ws/device');
    expect(deviceWsUrl(undefined, 'https://plexus.example.com')).toBe('wss://plexus.example.com/ws/device');
    expect(ingestUrl('http://plexus.local:8080/')).toBe('http://plexus.local:8080/ingest');
  });

  it('takes the key and URLs from PLEXUS_API_KEY, PLEXUS_GATEWAY_URL and PLEXUS_GATEWAY_WS_URL', async () => {
    gw = await TestGateway.start({ apiKeys: { plx_from_env: { org: 'o', scopes: ['write'] } } });
    process.env.PLEXUS_API_KEY = 'plx_from_env';
    process.env.PLEXUS_GATEWAY_URL = gw.url;
    process.env.PLEXUS_GATEWAY_WS_URL = gw.wsUrl;
    const c = new Plexus({ dataDir: tempDir(), sourceId: 'env-rig' });
    try {
      await waitForStatus(c, 'connected');
      expect(gw.auths[0]!.msg.api_key).toBe('plx_from_env');
      // An explicit null key wins over the environment: local only.
      const local = new Plexus({ dataDir: tempDir(), sourceId: 'env-rig', apiKey: null });
      await new Promise((r) => setTimeout(r, 20));
      expect(local.status().status).toBe('local-only');
      await local.close();
    } finally {
      await c.close();
    }
  });

  it('derives a valid default device name from the host name', () => {
    expect(sourceIdFromHostname('Lab-PC.local')).toBe('lab-pc-local');
    expect(sourceIdFromHostname('X')).toBe('bench-x');
    expect(sourceIdFromHostname('__')).toBe('bench-device');
    expect(sourceIdFromHostname('Ünïcode Host')).toMatch(/^[a-z0-9][a-z0-9_-]{1,62}$/);
  });

  it('reconnect backoff: 1 s × 2ⁿ, capped at 60 s, ±25 % jitter, reset after success', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000, jitter: 0.25 });
    const seen = Array.from({ length: 10 }, () => b.next());
    const nominal = [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000];
    seen.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(nominal[i]! * 0.75);
      expect(d).toBeLessThanOrEqual(nominal[i]! * 1.25);
    });
    // Jitter really varies (two devices that fail together do not retry together).
    const spread = new Set(Array.from({ length: 50 }, () => new Backoff({ baseMs: 1000 }).next()));
    expect(spread.size).toBeGreaterThan(10);
    b.reset();
    expect(b.next()).toBeLessThanOrEqual(1250);
  });

  it('a batch shares one timestamp unless a point brings its own; seconds are read as seconds', async () => {
    gw = await TestGateway.start();
    const c = new Plexus({
      apiKey: 'k',
      dataDir: tempDir(),
      sourceId: 'rig-01',
      gatewayUrl: gw.url,
      gatewayWsUrl: gw.wsUrl,
    });
    try {
      c.sendBatch([
        { metric: 'a', value: 1 },
        { metric: 'b', value: 2 },
        { metric: 'c', value: 3, timestamp: 1767225600123 },
      ]);
      c.sendBatch({ d: 4, e: 5 }, { timestamp: 1767225600 }); // seconds, like Plexus storage
      c.send('f', 6, { timestamp: new Date(1767225600456) });
      expect((await c.flush()).delivered).toBe(true);
      const ts = Object.fromEntries(gw.points.map((p) => [p.metric, p.timestamp]));
      expect(ts.a).toBe(ts.b);
      expect(ts.c).toBe(1767225600123);
      expect(ts.d).toBe(1767225600000);
      expect(ts.e).toBe(1767225600000);
      expect(ts.f).toBe(1767225600456);
    } finally {
      await c.close();
    }
  });
});
