// Whether HTTP (POST /ingest) works: not tried yet, answering, or failing. A network error or a
// 5xx is retried (protocol §6) after a backoff, and while failing each try is a small probe.

import type { Backoff } from '../../shared/util';
import type { HttpLink } from './status';

export class HttpLinkState {
  private state: HttpLink = { link: 'untried' };

  constructor(private readonly backoff: Backoff) {}

  /** As the status snapshot shows it (a plain value, replaced on each change). */
  get value(): HttpLink {
    return this.state;
  }

  get failing(): boolean {
    return this.state.link === 'failing';
  }

  /** A request may go now: not waiting out a failure's backoff. */
  due(now: number): boolean {
    return this.state.link !== 'failing' || this.state.retryAt <= now;
  }

  /** When a failing link may be tried again (Infinity: it is not waiting). */
  dueAt(now: number): number {
    return this.state.link === 'failing' && this.state.retryAt > now ? this.state.retryAt : Infinity;
  }

  /** The gateway answered 200 with the full count. */
  delivered(): void {
    this.state = { link: 'ok' };
    this.backoff.reset();
  }

  /** The gateway answered (a short count): reachable, but no reason to forget past failures. */
  answered(): void {
    this.state = { link: 'ok' };
  }

  failed(now: number): void {
    this.state = { link: 'failing', retryAt: now + this.backoff.next() };
  }

  /** Nothing known any more: a refused key (its answer says nothing about the link). */
  forget(): void {
    this.state = { link: 'untried' };
  }

  /** A new key or gateway: start afresh, the first retry short again. */
  reset(): void {
    this.forget();
    this.backoff.reset();
  }
}
