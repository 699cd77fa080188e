// The window's only way to the host: a BenchApi. In Electron the preload exposes it as
// `window.bench`; when the headless host serves this same build to a browser there is no preload,
// so we speak the same contract over a WebSocket (wire format below, implemented by the host).
//
//   client → server  {"type":"invoke","id":<n>,"name":<RequestName>,"payload":…}
//   server → client  {"type":"reply","id":<n>,"reply":Envelope}
//                    {"type":"event","event":<EventName>,"payload":…}
//
// Messages are encoded with encodeWire/decodeWire so Uint8Array (webcam JPEGs) survives JSON.
import {
  decodeWire,
  encodeWire,
  shownText,
  type BenchApi,
  type Envelope,
  type EventMap,
  type EventName,
  type ReplyMap,
  type RequestName,
  type RequestPayload,
} from '../../shared/contract';
import { Backoff, EventHub } from '../../shared/util';
import { useLinkStore } from './stores/linkStore';

const LOST = 'Lost contact with the recorder — reconnecting; try again in a moment';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class SocketBench implements BenchApi {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new EventHub<EventMap>();
  /** Re-dialling: 0.5 s doubling to 8 s, with jitter so many windows don't dial in step. */
  private readonly redial = new Backoff({ baseMs: 500, capMs: 8000, jitter: 0.25 });
  /** Requests made before the first connection opened (the app asks for state at start-up). */
  private readonly queued: string[] = [];
  private everOpen = false;
  private attempts = 0;

  constructor(
    private readonly url: string,
    /** Set when the address carries no token: no amount of re-dialling will help, so say so. */
    private readonly tokenProblem: string | null,
  ) {
    this.dial();
  }

  invoke<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<ReplyMap[N]> {
    return new Promise<ReplyMap[N]>((resolve, reject) => {
      const id = this.nextId++;
      const text = encodeWire({ type: 'invoke', id, name, payload });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
      // Before the first open we queue; after a drop we refuse at once rather than replay a stale
      // action (a marker or a stop) seconds later when the link comes back.
      else if (!this.everOpen) this.queued.push(text);
      else return reject(new Error(LOST));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  private dial(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.everOpen = true;
      this.attempts = 0;
      this.redial.reset();
      for (const text of this.queued.splice(0)) ws.send(text);
      useLinkStore.setState({ state: 'open', attempts: 0, problem: null });
    };
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') this.receive(e.data);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const p of this.pending.values()) p.reject(new Error(LOST));
      this.pending.clear();
      // Those requests were reported as failed: never send them later.
      this.queued.length = 0;
      this.attempts++;
      const problem =
        this.tokenProblem ?? (e.reason || (e.code === 1006 ? 'the recorder did not answer' : `closed (${e.code})`));
      useLinkStore.setState({ state: this.everOpen ? 'lost' : 'connecting', attempts: this.attempts, problem });
      setTimeout(() => this.dial(), this.redial.next());
    };
  }

  private receive(text: string): void {
    let msg: unknown;
    try {
      msg = decodeWire(text);
    } catch {
      return; // not ours to crash on; the host only sends JSON
    }
    if (!msg || typeof msg !== 'object') return;
    const m = msg as { type?: unknown; id?: unknown; reply?: unknown; event?: unknown; payload?: unknown };
    if (m.type === 'reply' && typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      const env = m.reply as Envelope<unknown> | undefined;
      if (env && env.ok) p.resolve(env.value);
      else p.reject(new Error(env && !env.ok ? env.error.message : 'the recorder sent a malformed reply'));
    } else if (m.type === 'event' && typeof m.event === 'string') {
      // The host only sends events of the contract; the payload's shape is the host's promise.
      this.events.emit(m.event as EventName, m.payload as never);
    }
  }
}

function socketUrl(): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/bridge?token=${encodeURIComponent(token)}`;
}

let bench: BenchApi | null = null;

/** The BenchApi for this window: the preload's, or one over the headless host's WebSocket. */
export function getBench(): BenchApi {
  if (bench) return bench;
  if (window.bench) {
    bench = window.bench;
    useLinkStore.setState({ mode: 'ipc', state: 'open' });
  } else {
    const tokenProblem = new URLSearchParams(location.search).get('token')
      ? null
      : 'the address has no access token — open the exact URL the recorder printed';
    useLinkStore.setState({ mode: 'websocket', state: 'connecting', problem: tokenProblem });
    bench = new SocketBench(socketUrl(), tokenProblem);
  }
  return bench;
}

/**
 * The host's message from a rejected invoke, as a technician reads it: without Electron's wrapper,
 * and in plain words even from a recorder older than this window (request-words.ts, shownText).
 */
export function errorText(e: unknown): string {
  return shownText(e instanceof Error ? e.message : String(e));
}
