// The one line under the plugin in the window: who the instrument is, its latest values with
// their units, and what went wrong (bad answers, timeouts, the instrument's last error). Polling
// may run thousands of cycles a second; the line is redrawn at most four times a second.
import type { QueryRow } from './config';

const REDRAW_MS = 250;

export class StatusLine {
  private state: 'waiting' | 'connected' = 'waiting';
  private text = '';
  private name = '';
  private readonly latest = new Map<string, number>();
  private readonly counts = { garbage: 0, timeout: 0 };
  private lastFailure = '';
  private readonly perMetric = new Map<string, number>();
  private errors = 0;
  private lastError = '';
  private shown = '';
  private timer: NodeJS.Timeout | null = null;
  private lastDraw = 0;

  constructor(
    private readonly show: (text: string) => void,
    private readonly rows: readonly QueryRow[],
  ) {}

  /** Not connected: the line says why and what happens next. Shown at once. */
  waiting(text: string): void {
    this.state = 'waiting';
    this.text = text;
    this.draw(true);
  }

  connected(name: string): void {
    this.state = 'connected';
    this.name = name;
    this.latest.clear();
    this.draw(true);
  }

  values(values: Record<string, number>): void {
    for (const [k, v] of Object.entries(values)) this.latest.set(k, v);
    this.draw(false);
  }

  /** Counts a failed query; returns how many of this kind this metric has had. */
  failed(metric: string, kind: 'garbage' | 'timeout', why: string): number {
    this.counts[kind]++;
    this.lastFailure = why;
    const key = `${kind}:${metric}`;
    const n = (this.perMetric.get(key) ?? 0) + 1;
    this.perMetric.set(key, n);
    this.draw(false);
    return n;
  }

  error(text: string): void {
    this.errors++;
    this.lastError = text;
    this.draw(true);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private draw(now: boolean): void {
    const since = Date.now() - this.lastDraw;
    if (!now && since < REDRAW_MS) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.draw(true);
      }, REDRAW_MS - since);
      return;
    }
    this.lastDraw = Date.now();
    const text = this.compose();
    if (text !== this.shown) this.show(text);
    this.shown = text;
  }

  private compose(): string {
    if (this.state === 'waiting') return this.text;
    const parts = [this.name];
    for (const r of this.rows) {
      const v = this.latest.get(r.metric);
      if (v !== undefined) parts.push(`${Number(v.toPrecision(5))}${r.unit ? ` ${r.unit}` : ''}`);
    }
    const bad = [
      this.counts.garbage ? plural(this.counts.garbage, 'bad answer') : '',
      this.counts.timeout ? plural(this.counts.timeout, 'timeout') : '',
    ].filter(Boolean);
    // Errors before bad answers: the line is cut at 200 characters, and the failure's text is long.
    if (this.errors) parts.push(`${plural(this.errors, 'instrument error')}, last ${this.lastError}`);
    if (bad.length) parts.push(`${bad.join(', ')} (last: ${this.lastFailure})`);
    return parts.join(' · ');
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
