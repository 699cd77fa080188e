import { describe, expect, it } from 'vitest';
import { Backoff, EventHub, TypedEmitter, positive, reportListenerErrorsTo } from '../../src/shared/util';

class Counter extends TypedEmitter<{ tick: number; done: undefined }> {
  fire(n: number): void {
    this.emit('tick', n);
  }
}

describe('TypedEmitter', () => {
  it('delivers to every listener, and a throwing one is reported, not swallowed, without stopping the rest', () => {
    const reported: Array<[string, string]> = [];
    const hub = new EventHub<{ tick: number }>((error, event) => reported.push([event, (error as Error).message]));
    const seen: number[] = [];
    hub.on('tick', () => {
      throw new Error('listener bug');
    });
    hub.on('tick', (n) => seen.push(n));
    hub.emit('tick', 7);
    expect(seen).toEqual([7]);
    expect(reported).toEqual([['tick', 'listener bug']]);
  });

  it('reports to the process-wide reporter when the emitter has none', () => {
    const reported: string[] = [];
    reportListenerErrorsTo((_e, event) => reported.push(event));
    try {
      const c = new Counter();
      c.on('tick', () => {
        throw new Error('x');
      });
      c.fire(1);
      expect(reported).toEqual(['tick']);
    } finally {
      reportListenerErrorsTo((error, event) => console.error(event, error));
    }
  });

  it('unsubscribes, and once() hears one event only', () => {
    const c = new Counter();
    const all: number[] = [];
    const first: number[] = [];
    const off = c.on('tick', (n) => all.push(n));
    c.once('tick', (n) => first.push(n));
    c.fire(1);
    c.fire(2);
    off();
    c.fire(3);
    expect(all).toEqual([1, 2]);
    expect(first).toEqual([1]);
  });

  it('an event nobody listens to is not an error', () => {
    const c = new Counter();
    expect(() => c.fire(1)).not.toThrow();
  });
});

describe('Backoff', () => {
  it('doubles from the base up to the cap, within the jitter, and starts over after reset()', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, jitter: 0.25 });
    const delays = Array.from({ length: 6 }, () => b.next());
    const raw = [100, 200, 400, 800, 1000, 1000];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(raw[i]! * 0.75);
      expect(d).toBeLessThanOrEqual(raw[i]! * 1.25);
    });
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.next()).toBeLessThanOrEqual(125);
  });
});

describe('positive', () => {
  it('defaults when undefined and names the option when the value is wrong', () => {
    expect(positive('x', undefined, 5)).toBe(5);
    expect(positive('x', 0, 5, true)).toBe(0);
    expect(() => positive('connectTimeoutMs', -1, 5)).toThrow(/connectTimeoutMs must be a positive number, got -1/);
    expect(() => positive('x', 0, 5)).toThrow(RangeError);
    expect(() => positive('x', Number.NaN, 5)).toThrow(/got NaN/);
  });
});
