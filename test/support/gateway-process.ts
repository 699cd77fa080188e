// GatewayProcess: the TestGateway in a separate Node process, driven over IPC.
//
// Benchmarks use it so the gateway's parsing and validation do not steal time from the client's
// event loop (and the client's stalls do not delay the gateway's receipt times). Every control is
// async; records are fetched on demand: stats() for counters and lengths, list() / pointsSince()
// for record objects, receiptsSince() for the compact typed-array log of accepted points.
//
// Time: receivedAt values are performance.timeOrigin + performance.now() of the child, i.e. wall
// clock ms; compare them with the same expression in the parent.

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { GatewayOptions, TestGateway } from './gateway';
import type {
  AcceptedPoint,
  AuthRecord,
  ConnectionRecord,
  Counters,
  HttpRequestRecord,
  ReceiptBatch,
  RecordedMessage,
  VideoFrameRecord,
} from './gateway-records';

/** GatewayOptions that can cross a process boundary (no callbacks). */
export type GatewayProcessOptions = Omit<GatewayOptions, 'onPoint'>;

export interface ChildRequest {
  id: number;
  op: string;
  args: unknown[];
}
export type ChildReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface GatewayStats {
  counters: Counters;
  /** Lengths of the record lists. */
  points: number;
  receipts: number;
  messages: number;
  videoFrames: number;
  heartbeats: number;
  commandResults: number;
  deviceErrors: number;
  auths: number;
  httpRequests: number;
  connections: ConnectionRecord[];
  connectedSources: string[];
  internalErrors: number;
}

interface Lists {
  points: AcceptedPoint;
  messages: RecordedMessage;
  videoFrames: VideoFrameRecord;
  heartbeats: { sourceId: string; uptime_s: unknown; receivedAt: number };
  commandResults: { sourceId: string; msg: Record<string, unknown> };
  deviceErrors: { sourceId: string; msg: Record<string, unknown> };
  auths: AuthRecord;
  httpRequests: HttpRequestRecord;
  connections: ConnectionRecord;
}

const CHILD_SCRIPT = path.join(__dirname, 'gateway-child.ts');
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export class GatewayProcess {
  private portNo = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exited = false;

  private constructor(private readonly child: ChildProcess) {}

  /** The child's pid (for diagnostics). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get port(): number {
    return this.portNo;
  }
  get url(): string {
    return `http://127.0.0.1:${this.portNo}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.portNo}/ws/device`;
  }

  static async start(opts: GatewayProcessOptions = {}, startTimeoutMs = 20_000): Promise<GatewayProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], {
      cwd: PROJECT_ROOT, // where `tsx` resolves from
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gateway process: no ready message')), startTimeoutMs);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gateway process exited early (code ${String(code)})`));
      });
      child.once('error', reject);
    });
    try {
      await ready;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    const gp = new GatewayProcess(child);
    gp.listen();
    try {
      gp.portNo = ((await gp.call('start', opts)) as { port: number }).port;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return gp;
  }

  private listen(): void {
    this.child.on('message', (r: ChildReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(`gateway process: ${r.error}`));
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`gateway process exited (${String(code ?? signal)})`));
      this.pending.clear();
    });
  }

  private call(op: string, ...args: unknown[]): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error('gateway process has exited'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, args } satisfies ChildRequest, (err) => {
        if (err) {
          this.pending.delete(id);
          reject(err);
        }
      });
    });
  }

  /** Closes the gateway and waits for the process to exit (killed after 5 s). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.call('close').catch(() => this.child.kill('SIGKILL'));
    await exited;
    clearTimeout(timer);
  }

  async down(): Promise<void> {
    await this.call('down');
  }
  async up(): Promise<void> {
    await this.call('up');
  }
  async setClockSkew(ms: number): Promise<void> {
    await this.call('setClockSkew', ms);
  }
  async setLatency(ms: number): Promise<void> {
    await this.call('setLatency', ms);
  }
  async forceHttpStatus(status: number | null, body?: unknown): Promise<void> {
    await this.call('forceHttpStatus', status, body);
  }
  async setRedisDown(down: boolean): Promise<void> {
    await this.call('setRedisDown', down);
  }
  async sendCommand(
    sourceId: string,
    cmd: { id?: string; command: string; params?: Record<string, unknown> },
  ): Promise<string> {
    return (await this.call('sendCommand', sourceId, cmd)) as string;
  }
  async sendRaw(sourceId: string, text: string): Promise<void> {
    await this.call('sendRaw', sourceId, text);
  }
  async evict(sourceId: string): Promise<void> {
    await this.call('evict', sourceId);
  }
  async cut(sourceId: string): Promise<void> {
    await this.call('cut', sourceId);
  }
  async freeze(sourceId: string): Promise<void> {
    await this.call('freeze', sourceId);
  }
  async thaw(sourceId?: string): Promise<void> {
    await this.call('thaw', sourceId);
  }
  async setApiKeys(keys: Parameters<TestGateway['setApiKeys']>[0]): Promise<void> {
    await this.call('setApiKeys', keys);
  }
  async now(): Promise<number> {
    return (await this.call('now')) as number;
  }
  async stats(): Promise<GatewayStats> {
    return (await this.call('stats')) as GatewayStats;
  }

  /** Records of one list from index `from` (at most `max`). */
  async list<K extends keyof Lists>(name: K, from = 0, max?: number): Promise<Array<Lists[K]>> {
    return (await this.call('list', name, from, max)) as Array<Lists[K]>;
  }

  /** Accepted points (all in 'full' mode, the sample metrics in 'count' mode) from index `from`. */
  pointsSince(from: number, max?: number): Promise<AcceptedPoint[]> {
    return this.list('points', from, max);
  }

  /** The typed-array receipt log of every accepted point, from index `from`. */
  async receiptsSince(from: number, max?: number): Promise<ReceiptBatch> {
    return (await this.call('receipts', from, max)) as ReceiptBatch;
  }

  /** Polls stats() until pred holds (every 20 ms). */
  async waitFor(pred: (s: GatewayStats) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<GatewayStats> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (pred(s)) return s;
      if (performance.now() > end)
        throw new Error(`gateway process: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
