// One incoming message → the points it records. This is the hot path (tens of thousands of calls
// a second): a cached topic lookup, one payload decode, and points handed to the batch; units are
// described once per metric, the first time it is seen.

import { decodePayload, type FieldValue, type PayloadLimits } from './payload';
import type { TopicMap } from './topic-map';

export interface RouterOutput {
  point(metric: string, value: FieldValue): void;
  describe(metric: string, unit: string): void;
  /** A payload (or part of a JSON payload) that could not be recorded. */
  bad(topic: string, problem: string): void;
  /** A message on a topic no rule maps. */
  unmatched(topic: string): void;
}

export class MessageRouter {
  private readonly described = new Set<string>();

  constructor(
    private readonly map: TopicMap,
    private readonly limits: PayloadLimits,
    private readonly out: RouterOutput,
  ) {}

  handle(topic: string, payload: Uint8Array): void {
    const target = this.map.resolve(topic);
    if (target === null) {
      this.out.unmatched(topic);
      return;
    }
    const d = decodePayload(payload, this.limits);
    switch (d.kind) {
      case 'number':
        this.number(target.metric, d.value, target.unit);
        return;
      case 'text':
        this.out.point(target.metric, d.value);
        return;
      case 'fields':
        for (const [path, value] of d.fields) {
          const metric = `${target.metric}.${path}`;
          if (typeof value === 'number') this.number(metric, value, target.unit);
          else this.out.point(metric, value);
        }
        if (d.problem !== null) this.out.bad(topic, d.problem);
        return;
      case 'bad':
        this.out.bad(topic, d.problem);
        return;
      case 'empty':
        return; // how a retained message is cleared: not a reading
    }
  }

  private number(metric: string, value: number, unit: string | null): void {
    if (unit !== null && !this.described.has(metric)) {
      this.described.add(metric);
      this.out.describe(metric, unit);
    }
    this.out.point(metric, value);
  }
}
