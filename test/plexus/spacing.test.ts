// The gateway drops a telemetry message that arrives < 0.5 ms after the source's previous one,
// with no reply — and the pong after it still comes, so the client would count it as delivered.
// The client waits ≥ 1 ms after each pong before the next frame. A single sleep did not ensure
// that: a 1 ms timer can fire a few µs after it was set (Node counts from the loop's cached
// whole-ms time), and about 1 frame in 300 sent straight after a pong was lost this way.
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, until, waitForStatus } from '../helpers/plexus';

afterEach(async () => {
  await closeAll();
});

describe('frame spacing', () => {
  it('frames ready the moment each pong arrives are all accepted, none dropped silently', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { buffer: { commitIntervalMs: 1 } });
    await waitForStatus(c, 'connected');
    const N = 3000;
    let i = 0;
    // Each confirmation makes the next point durable at once: the next frame is ready before the
    // pump asks, so it goes out as soon as the spacing allows.
    const failures: unknown[] = [];
    c.on('delivered', () => {
      if (i < N) {
        c.send('b2b', i++);
        // Committed at once, so the next frame is ready; a failed commit fails the test below.
        c.persisted().catch((e: unknown) => failures.push(e));
      }
    });
    c.send('b2b', i++);
    await c.persisted();
    await until(() => i >= N && c.bufferSize() === 0, 30_000, 'every point confirmed');
    expect(failures).toEqual([]);
    const telemetry = gw.messages.filter((m) => m.type === 'telemetry');
    expect(telemetry.length).toBeGreaterThan(N / 2); // mostly one point per frame, back to back
    expect(telemetry.filter((m) => m.outcome !== 'accepted')).toEqual([]);
    expect(new Set(gw.points.map((p) => p.value)).size).toBe(N); // confirmed means arrived
  }, 60_000);
});
