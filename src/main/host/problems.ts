// What is wrong right now, in a technician's words and with the one thing that helps: the disk
// cannot take points (they are held in memory), the disk is nearly full, points were dropped or
// refused by the gateway, the buffer file was damaged and set aside. Fed by the client's events
// and a look at the disk every few seconds; every new problem also goes to the log.

import { statfsSync } from 'node:fs';
import { StorageError, type Logger, type Plexus } from '../plexus';
import type { ProblemView } from '../../shared/contract';

/** Below this much free space (or 5 %), the disk counts as nearly full. */
const LOW_BYTES = 1024 ** 3;
const LOW_FRACTION = 0.05;
const DISK_CHECK_MS = 10_000;

const n = (x: number): string => x.toLocaleString('en-US');
const points = (x: number): string => `${n(x)} point${x === 1 ? '' : 's'}`;

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

export class ProblemBoard {
  private readonly problems = new Map<string, ProblemView>();
  private readonly offs: Array<() => void> = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private failing = false;

  constructor(
    private readonly client: Plexus,
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {
    this.offs.push(
      client.on('error', (e) => {
        if (e instanceof StorageError) {
          this.failing = true;
          this.set(
            'storage',
            'error',
            `The recorder cannot write to its disk: ${e.message}. New points are held in memory until it can.`,
            `Free space on the disk of ${dataDir} (or check that the folder can be written).`,
          );
        } else this.log.warn(e.message);
      }),
      client.on('stored', () => {
        if (!this.failing) return;
        this.failing = false;
        this.clear('storage');
        this.log.info('the disk takes points again');
      }),
      client.on('dropped', (d) => {
        if (d.reason === 'buffer-full')
          this.set(
            'dropped-buffer',
            'warning',
            `The buffer was full: the ${points(d.total)} oldest undelivered were dropped.`,
            'Connect to the gateway so the backlog ships, or raise the buffer cap.',
          );
        else if (d.reason === 'storage-error')
          this.set(
            'dropped-storage',
            'error',
            `${points(d.total)} could not be kept: the disk was full and the memory reserve too.`,
            `Free space on the disk of ${dataDir}.`,
          );
      }),
      client.on('quarantined', (q) => {
        this.set(
          'quarantined',
          'warning',
          `The gateway refused ${points(q.total)}; they are set aside in the buffer file, not sent again. Last: ${q.reason}`,
          'The log lists each one with the rule it broke.',
        );
      }),
    );
    this.checkDisk();
    this.timer = setInterval(() => this.checkDisk(), DISK_CHECK_MS);
    this.timer.unref?.();
  }

  /** The disk refused the last write: what is recorded now waits in memory. */
  storageFailing(): boolean {
    return this.failing;
  }

  list(): ProblemView[] {
    return [...this.problems.values()];
  }

  /** A problem found elsewhere (e.g. a damaged buffer file recovered at start). */
  set(id: string, severity: ProblemView['severity'], message: string, remedy: string | null): void {
    const known = this.problems.get(id);
    if (known && known.message === message) return;
    this.problems.set(id, { id, severity, message, remedy, since: known?.since ?? Date.now() });
    if (!known) this.log[severity === 'error' ? 'error' : 'warn'](`${message}${remedy ? ` — ${remedy}` : ''}`);
    this.onChange();
  }

  clear(id: string): void {
    if (this.problems.delete(id)) this.onChange();
  }

  private checkDisk(): void {
    let free: number;
    let total: number;
    try {
      const s = statfsSync(this.dataDir);
      free = s.bavail * s.bsize;
      total = s.blocks * s.bsize;
    } catch {
      return; // no statfs here: nothing to say
    }
    if (free < LOW_BYTES || free < total * LOW_FRACTION)
      this.set(
        'disk-low',
        'warning',
        `The disk is nearly full: ${size(free)} free of ${size(total)} (${this.dataDir}).`,
        'Free space there before the recorder has to hold points in memory.',
      );
    else this.clear('disk-low');
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const off of this.offs) off();
  }
}
