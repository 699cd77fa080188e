// The "newest frame wins" mailbox on its own: sends one at a time, lets only the newest frame
// wait, loses nothing while idle, keeps the order frames were posted in, and says what became of
// each frame. Sends are settled by hand, so nothing here depends on timing.
import { describe, expect, it } from 'vitest';
import { NewestFrameMailbox, type MailboxOutcome } from '../../src/main/devices/camera';

/** A send that the test settles: each call waits until resolve/reject of its entry is called. */
function manualSend(): {
  calls: Array<{ item: number; resolve: (r: string) => void; reject: (e: unknown) => void }>;
  send: (item: number) => Promise<string>;
} {
  const calls: Array<{ item: number; resolve: (r: string) => void; reject: (e: unknown) => void }> = [];
  return {
    calls,
    send: (item) => new Promise<string>((resolve, reject) => calls.push({ item, resolve, reject })),
  };
}

/** Lets every promise reaction that is ready run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('NewestFrameMailbox', () => {
  it('sends a frame at once when idle, and every frame when each send ends before the next', async () => {
    const sent: number[] = [];
    const box = new NewestFrameMailbox<number, string>((n) => {
      sent.push(n);
      return Promise.resolve(`ok ${n}`);
    });
    for (let i = 0; i < 20; i++) {
      expect(box.busy).toBe(false);
      const o = box.post(i);
      expect(sent.at(-1)).toBe(i); // synchronously: no waiting when idle
      expect(await o).toEqual({ kind: 'sent', result: `ok ${i}` });
    }
    expect(sent).toEqual([...Array(20).keys()]);
  });

  it('while a send is in flight only the newest frame waits; the ones it replaced are superseded', async () => {
    const m = manualSend();
    const box = new NewestFrameMailbox(m.send);
    const outcomes = new Map<number, MailboxOutcome<string>>();
    const posted: Array<Promise<unknown>> = [];
    const post = (n: number): void => {
      posted.push(box.post(n).then((o) => outcomes.set(n, o)));
    };

    post(1);
    expect(box.busy).toBe(true);
    for (let n = 2; n <= 5; n++) post(n);
    await settle();
    expect(m.calls.map((c) => c.item)).toEqual([1]); // one in flight, nothing else sent yet
    expect([2, 3, 4].map((n) => outcomes.get(n))).toEqual([
      { kind: 'superseded' },
      { kind: 'superseded' },
      { kind: 'superseded' },
    ]);
    expect(outcomes.has(5)).toBe(false); // still waiting

    m.calls[0]!.resolve('one');
    await settle();
    expect(outcomes.get(1)).toEqual({ kind: 'sent', result: 'one' });
    expect(m.calls.map((c) => c.item)).toEqual([1, 5]); // the newest went next

    post(6);
    post(7);
    m.calls[1]!.resolve('five');
    await settle();
    expect(outcomes.get(5)).toEqual({ kind: 'sent', result: 'five' });
    expect(outcomes.get(6)).toEqual({ kind: 'superseded' });
    expect(m.calls.map((c) => c.item)).toEqual([1, 5, 7]);
    m.calls[2]!.resolve('seven');
    await settle();
    expect(outcomes.get(7)).toEqual({ kind: 'sent', result: 'seven' });
    expect(box.busy).toBe(false);
    await Promise.all(posted);
    expect(outcomes.size).toBe(7); // every frame accounted for
  });

  it('sends in the order frames were posted, and accounts for every frame exactly once', async () => {
    const m = manualSend();
    const box = new NewestFrameMailbox(m.send);
    const outcomes: Array<Promise<MailboxOutcome<string>>> = [];
    // Bursts of frames of varying size between sends that end one by one.
    let next = 0;
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < round % 4; k++) outcomes.push(box.post(next++));
      await settle();
      m.calls.at(-1)?.resolve('ok');
      await settle();
    }
    while (box.busy) {
      m.calls.at(-1)!.resolve('ok');
      await settle();
    }
    const items = m.calls.map((c) => c.item);
    expect(items).toEqual([...items].sort((a, b) => a - b)); // never an older frame after a newer one
    expect(new Set(items).size).toBe(items.length); // never one twice
    const all = await Promise.all(outcomes);
    expect(all.length).toBe(next);
    const sentItems = all.flatMap((o, i) => (o.kind === 'sent' ? [i] : []));
    expect(sentItems).toEqual(items);
    expect(all.every((o) => o.kind === 'sent' || o.kind === 'superseded')).toBe(true);
    // Whenever frames were posted, the last of them was sent.
    expect(items.at(-1)).toBe(next - 1);
  });

  it('a send that throws or rejects fails that frame only; the waiting frame still goes', async () => {
    let n = 0;
    const box = new NewestFrameMailbox<number, string>((item) => {
      n++;
      if (item === 1) throw new Error('sync boom');
      if (item === 2) return Promise.reject(new Error('async boom'));
      return Promise.resolve('ok');
    });
    expect(await box.post(1)).toEqual({ kind: 'failed', error: new Error('sync boom') });
    const two = box.post(2);
    const three = box.post(3);
    expect(await two).toMatchObject({ kind: 'failed', error: { message: 'async boom' } });
    expect(await three).toEqual({ kind: 'sent', result: 'ok' });
    expect(n).toBe(3);
  });

  it('close(): the waiting frame and later ones are closed, the one in flight finishes; idle() waits for it', async () => {
    const m = manualSend();
    const box = new NewestFrameMailbox(m.send);
    const first = box.post(1);
    const waiting = box.post(2);
    box.close();
    expect(await waiting).toEqual({ kind: 'closed' });
    expect(await box.post(3)).toEqual({ kind: 'closed' });
    let idle = false;
    const done = box.idle().then(() => (idle = true));
    await settle();
    expect(idle).toBe(false);
    m.calls[0]!.resolve('one');
    await done;
    expect(await first).toEqual({ kind: 'sent', result: 'one' });
    expect(m.calls.map((c) => c.item)).toEqual([1]);
    await box.idle(); // at once when nothing is in flight
  });
});
