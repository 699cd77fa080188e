// What goes to the window each tick (15 per second by default): new live values and events, the
// status, and — only when they changed or every half second — problems and the sources' views.
// A tick with nothing new and a status the window saw less than half a second ago is not sent at
// all, which keeps an idle window's traffic near zero. Every tick's metrics also go into the
// history a reloaded window is seeded from (metric-history.ts), sent or not.

import type { ProblemView, RunView, StatusView, Tick } from '../../shared/contract';
import type { MetricHistories } from './metric-history';
import type { PreviewAggregator } from './preview';

export interface TickInputs {
  preview: PreviewAggregator;
  history: MetricHistories;
  now(): number;
  status(): StatusView;
  run(): RunView | null;
  problems(): ProblemView[];
  sources(): NonNullable<Tick['sources']>;
}

/** Sources' views are re-sent at least this often (their counters move without events). */
const SOURCES_EVERY_MS = 500;
/** An unchanged status is re-sent at least this often (the window's "alive" signal). */
const STATUS_EVERY_MS = 500;

export class TickBuilder {
  private lastTickAt = 0;
  private lastStatusKey = '';
  private sourcesDirty = true;
  private lastSourcesAt = 0;
  private problemsDirty = true;

  constructor(private readonly inputs: TickInputs) {}

  /** A source was added, removed or changed state: its views go out with the next tick. */
  sourcesChanged(): void {
    this.sourcesDirty = true;
  }

  problemsChanged(): void {
    this.problemsDirty = true;
  }

  /** The client's status changed: the next tick carries it even if the text looks the same. */
  statusChanged(): void {
    this.lastStatusKey = '';
  }

  /** The next tick, or null when there is nothing to send. */
  build(): Tick | null {
    const now = this.inputs.now();
    const data = this.inputs.preview.take(now);
    // A tick's metrics are all names the preview remembers (a tick holds no more names than it
    // remembers), so the history keeps no name the preview has forgotten.
    this.inputs.history.add(now, data.metrics);
    const status = this.inputs.status();
    const key = `${status.status}|${status.message}|${status.buffered}|${status.pointsPerSec}|${status.clockUncertaintyMs}`;
    const wall = Date.now();
    const sourcesDue = this.sourcesDirty || wall - this.lastSourcesAt >= SOURCES_EVERY_MS;
    if (
      data.metrics.length === 0 &&
      data.events.length === 0 &&
      !this.problemsDirty &&
      key === this.lastStatusKey &&
      wall - this.lastTickAt < STATUS_EVERY_MS
    )
      return null;
    this.lastStatusKey = key;
    this.lastTickAt = wall;
    const t: Tick = {
      t: now,
      status,
      run: this.inputs.run(),
      metrics: data.metrics,
      events: data.events,
      eventsDropped: data.eventsDropped,
    };
    if (this.problemsDirty) {
      t.problems = this.inputs.problems();
      this.problemsDirty = false;
    }
    if (sourcesDue) {
      t.sources = this.inputs.sources();
      this.sourcesDirty = false;
      this.lastSourcesAt = wall;
    }
    return t;
  }
}
