// The status line is live: a status event's message follows the buffer (a UI fed by events showed
// "241 points kept" while 5,098 were waiting), in a person's words ("1 point", not "1 points").
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, until, waitForStatus } from '../helpers/plexus';
import type { StatusInfo } from '../../src/main/plexus';

afterEach(async () => {
  await closeAll();
});

const kept = (n: number): string => `${n.toLocaleString('en-US')} ${n === 1 ? 'point' : 'points'} kept`;

describe('status events', () => {
  it('follow the buffer while offline, throttled, and say "1 point"', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    const events: StatusInfo[] = [];
    c.on('status', (s) => events.push(s));
    await waitForStatus(c, 'connected');
    await gw.down();
    await waitForStatus(c, 'offline');
    const last = (): string => events.at(-1)?.message ?? '';

    c.send('one', 1);
    await c.persisted();
    await until(() => last().includes(kept(1)), 2000, `an event saying "${kept(1)}" (last: ${last()})`);
    expect(last()).toMatch(/^Offline — 1 point kept, will send when back/);

    const before = events.length;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1_000; i++) c.send('many', i);
      await c.persisted();
      const n = c.bufferSize();
      // Within a few throttle periods of the change, not at the next change of state.
      await until(() => last().includes(kept(n)), 1500, `an event saying "${kept(n)}" (last: ${last()})`);
    }
    expect(c.bufferSize()).toBe(5_001);
    expect(c.status().message).toContain(kept(5_001)); // a read is always current
    // Throttled: a handful of events for 5,000 points, not one per point or per commit.
    expect(events.length - before).toBeLessThan(60);
  });

  it('count what is kept while the key is refused', async () => {
    const gw = await gateway({ apiKeys: { other: { org: 'o', scopes: ['write'] } } });
    const c = clientFor(gw);
    const events: StatusInfo[] = [];
    c.on('status', (s) => events.push(s));
    await waitForStatus(c, 'auth-failed');
    for (let i = 0; i < 1_234; i++) c.send('k', i);
    await c.persisted();
    await until(
      () => (events.at(-1)?.message ?? '').includes(kept(1_234)),
      2000,
      `an event saying "${kept(1_234)}" (last: ${events.at(-1)?.message ?? ''})`,
    );
    expect(events.at(-1)!.message).toMatch(/^API key rejected — check it in Settings \(1,234 points kept/);
  });
});
