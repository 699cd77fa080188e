// "Newest frame wins": at most one send in flight plus one waiting frame. A frame posted while a
// send is in flight waits in the one slot; a newer one replaces it (the replaced frame is
// `superseded`). When the send settles, the waiting frame (the newest) goes next. Live video is
// never queued: a slow link costs frame rate, not latency.
//
// Frames are sent in the order they were posted (a waiting frame is always newer than the one in
// flight), and a frame posted while nothing is in flight is sent at once.

export type MailboxOutcome<R> =
  /** The send ran and resolved with `result` (which may itself say "not sent"). */
  | { kind: 'sent'; result: R }
  /** The send threw or rejected. */
  | { kind: 'failed'; error: Error }
  /** A newer frame took its place while it waited. */
  | { kind: 'superseded' }
  /** The mailbox was closed before it could be sent. */
  | { kind: 'closed' };

interface Waiting<T, R> {
  item: T;
  settle: (o: MailboxOutcome<R>) => void;
}

export class NewestFrameMailbox<T, R> {
  private inFlight: Promise<void> | null = null;
  private waiting: Waiting<T, R> | null = null;
  private closed = false;

  constructor(private readonly send: (item: T) => Promise<R>) {}

  /** A send is in flight. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Hand a frame over; resolves with what became of it (never rejects). */
  post(item: T): Promise<MailboxOutcome<R>> {
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((settle) => {
      if (!this.inFlight) {
        this.dispatch({ item, settle });
        return;
      }
      this.waiting?.settle({ kind: 'superseded' });
      this.waiting = { item, settle };
    });
  }

  /** Resolves once no send is in flight (at once when idle). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Accept no more frames; the waiting one (if any) is `closed`. The send in flight finishes. */
  close(): void {
    this.closed = true;
    const w = this.waiting;
    this.waiting = null;
    w?.settle({ kind: 'closed' });
  }

  private dispatch(w: Waiting<T, R>): void {
    let p: Promise<R>;
    try {
      p = this.send(w.item);
    } catch (e) {
      p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.inFlight = p.then(
      (result) => this.settled(w, { kind: 'sent', result }),
      (e: unknown) => this.settled(w, { kind: 'failed', error: e instanceof Error ? e : new Error(String(e)) }),
    );
  }

  private settled(w: Waiting<T, R>, outcome: MailboxOutcome<R>): void {
    w.settle(outcome);
    this.inFlight = null;
    const next = this.waiting;
    this.waiting = null;
    if (next) this.dispatch(next);
  }
}
