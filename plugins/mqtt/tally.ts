// What the plugin has seen, for its one status line: the link's state, how many messages came in
// and how many could not be read, with the last reason — so a technician glancing at the window
// sees both that data flows and that one device is publishing garbage, and which.

export type LinkState =
  { state: 'connecting' } | { state: 'connected' } | { state: 'down'; reason: string; retryMs: number };

export class Tally {
  messages = 0;
  bad = 0;
  lastBad = '';
  /** Messages on topics no rule maps (subscriptions a persistent session kept from older rules). */
  unmatched = 0;
  link: LinkState = { state: 'connecting' };

  constructor(readonly broker: string) {}

  badPayload(topic: string, problem: string): void {
    this.bad++;
    // Kept short: the window shows one line of 200 characters, and the counts must stay in it.
    const last = `${topic}: ${problem}`;
    this.lastBad = last.length > 100 ? `${last.slice(0, 99)}…` : last;
  }

  /** e.g. "connected to 127.0.0.1:1883 · 12,345 messages · 3 bad payloads (last: lab/x: …)" */
  line(): string {
    const l = this.link;
    const link =
      l.state === 'connecting'
        ? `connecting to ${this.broker}…`
        : l.state === 'connected'
          ? `connected to ${this.broker}`
          : `${l.reason}; retrying in ${seconds(l.retryMs)}`;
    return `${link} · ${this.counts()}`;
  }

  /** e.g. "12,345 messages · 3 bad payloads (last: lab/x: …)" */
  counts(): string {
    const messages = `${count(this.messages)} message${this.messages === 1 ? '' : 's'}`;
    if (this.bad === 0) return messages;
    return `${messages} · ${count(this.bad)} bad payload${this.bad === 1 ? '' : 's'} (last: ${this.lastBad})`;
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
