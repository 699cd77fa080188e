// "Network lines": a port on 127.0.0.1 (TCP or UDP) that reads the same line formats as serial
// devices, so a script the technician starts themselves — a notebook, LabVIEW,
// `echo "temp:21.5" | nc 127.0.0.1 7421` — feeds the recorder with no setup. Loopback only: any
// program on this computer may send, nothing on the network can. Every TCP connection and every
// UDP sender (ip:port) gets its own LineReader, so each detects its own format and a half line of
// one never joins another's. Nothing a sender does can crash the source: bad bytes are counted,
// broken connections logged, connections over the cap refused, and the log rate-limited.

import type { Socket as UdpSocket, RemoteInfo } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import type { ParserKind, TelemetrySink } from '../../devices/types';
import { TypedEmitter } from '../../../shared/util';
import { RateMeter } from '../rate-meter';
import { listenTcp, listenUdp } from './listen';
import {
  HOST,
  LogLimiter,
  Peer,
  addReaderStats,
  describeSocketError,
  emptyTotals,
  explainListenError,
  formatSeconds,
  protoName,
  validateNetworkLinesConfig,
  type Totals,
} from './network-support';
import type {
  LogLevel,
  NetworkLinesConfig,
  NetworkLinesOptions,
  NetworkLinesState,
  NetworkLinesStats,
  NetworkLinesStatus,
  NetworkLogEntry,
} from './types';

export { validateNetworkLinesConfig } from './network-support';
export type {
  NetworkLinesConfig,
  NetworkLinesOptions,
  NetworkLinesState,
  NetworkLinesStats,
  NetworkLinesStatus,
  NetworkLogEntry,
} from './types';

type Events = { status: NetworkLinesStatus; log: NetworkLogEntry };

const LOG_KEEP = 200;
/** UDP senders with their own reader at once; the least recently heard one is forgotten. */
const MAX_UDP_SENDERS = 64;
/** A UDP sender counts as connected this long after its last datagram. */
const UDP_ACTIVE_MS = 10_000;
/** Refused connections logged one by one; the rest are counted. */
const LOG_REFUSED = 5;
const NEWLINE = Buffer.from('\n');
const NL = 0x0a;

export class NetworkLineSource extends TypedEmitter<Events> {
  private current: NetworkLinesStatus = { state: 'stopped', message: 'stopped' };
  private readonly logEntries: NetworkLogEntry[] = [];
  /** Opened / closed / new sender messages: a client reconnecting in a loop must not flood the log. */
  private readonly connLog: LogLimiter;
  /** The readers' own messages (detection, first problems), prefixed with the peer. */
  private readonly peerLog: LogLimiter;
  private readonly maxConnections: number;

  private server: Server | null = null;
  private udp: UdpSocket | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly tcpPeers = new Set<Peer>();
  /** Insertion order is recency: a datagram moves its sender to the end. */
  private readonly udpPeers = new Map<string, Peer>();

  private readonly closed: Totals = emptyTotals();
  private totalConnections = 0;
  private refused = 0;
  /** Refusals since start(): the first few are logged one by one. */
  private refusedLogged = 0;
  private bytes = 0;
  private datagrams = 0;
  private lastParser: ParserKind | null;
  private readonly rate = new RateMeter();
  /** Points recorded since the rate meter last heard: it is told per chunk, not per line. */
  private pendingPoints = 0;
  /** Sits between the readers and the sink to count points for the rate. */
  private readonly countingSink: TelemetrySink;

  constructor(
    readonly config: NetworkLinesConfig,
    sink: TelemetrySink,
    private readonly opts: NetworkLinesOptions = {},
  ) {
    super();
    validateNetworkLinesConfig(config);
    this.config = { ...config };
    this.maxConnections = Math.max(1, Math.floor(opts.maxConnections ?? 32));
    this.lastParser = config.parser === 'auto' ? null : config.parser;
    this.connLog = new LogLimiter((l, m) => this.addLog(l, m), 'connection messages');
    this.peerLog = new LogLimiter((l, m) => this.addLog(l, m), 'messages about received lines', 40);
    this.countingSink = {
      now: () => sink.now(),
      send: (metric, value, o) => {
        const r = sink.send(metric, value, o);
        this.pendingPoints++;
        return r;
      },
      sendBatch: (points, o) => {
        const r = sink.sendBatch(points, o);
        this.pendingPoints += points.length;
        return r;
      },
      sendVideoFrame: (frame, cameraId, o) => sink.sendVideoFrame(frame, cameraId, o),
    };
  }

  status(): NetworkLinesStatus {
    return { ...this.current };
  }

  stats(): NetworkLinesStats {
    const t: Totals = { ...this.closed, problems: { ...this.closed.problems } };
    let connections = this.tcpPeers.size;
    for (const p of this.tcpPeers) addReaderStats(t, p.reader.stats());
    const activeSince = Date.now() - UDP_ACTIVE_MS;
    for (const p of this.udpPeers.values()) {
      addReaderStats(t, p.reader.stats());
      if (p.lastSeen >= activeSince) connections++;
    }
    return {
      connections,
      totalConnections: this.totalConnections,
      lines: t.lines,
      points: t.points,
      bytes: this.bytes,
      datagrams: this.datagrams,
      problems: t.problems,
      parser: this.lastParser,
      refused: this.refused,
    };
  }

  pointsPerSec(): number {
    this.countPoints();
    return this.rate.rate();
  }

  /** Where it listens, as the OS reports it (null when not listening): always 127.0.0.1. */
  address(): { address: string; port: number; family: string } | null {
    const a = this.server?.address() ?? this.udp?.address() ?? null;
    return a && typeof a === 'object' ? { address: a.address, port: a.port, family: a.family } : null;
  }

  log(): NetworkLogEntry[] {
    return [...this.logEntries];
  }

  /** Listen on 127.0.0.1. Resolves once listening or failed (status() says why); never rejects. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.server || this.udp) return Promise.resolve();
    this.starting = (async () => {
      if (this.stopping) await this.stopping;
      const where = `${HOST}:${this.config.port} (${protoName(this.config)})`;
      this.setStatus('starting', `starting on ${where}`);
      this.refusedLogged = 0;
      let err: (Error & { code?: string }) | null = null;
      try {
        if (this.config.protocol === 'tcp') {
          const r = await listenTcp(this.config.port, (e) =>
            // After listening, errors are about accepting one connection (out of file handles…).
            this.addLog('error', `accepting a connection failed: ${e.message}`),
          );
          if (r.ok) this.server = r.ok.on('connection', (socket: Socket) => this.accept(socket));
          else err = r.error;
        } else {
          const r = await listenUdp(this.config.port, (e) => this.addLog('error', `receiving failed: ${e.message}`));
          if (r.ok) this.udp = r.ok.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
          else err = r.error;
        }
      } catch (e) {
        err = e as Error; // a bad argument to listen/bind: reported like any refusal
      }
      if (err) this.setStatus('error', explainListenError(this.config, err));
      else this.setStatus('listening', `listening on ${where}`);
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** Close the port and every connection; the counts stay. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      if (this.starting) await this.starting;
      const server = this.server;
      const udp = this.udp;
      this.server = null;
      this.udp = null;
      const closing: Array<Promise<void>> = [];
      if (server) closing.push(new Promise((resolve) => server.close(() => resolve())));
      if (udp) closing.push(new Promise((resolve) => udp.close(() => resolve())));
      // Destroying does not wait for the client: its lines so far are recorded right here.
      for (const p of [...this.tcpPeers]) {
        p.socket?.destroy();
        this.finishPeer(p, 'closed (the source stopped)');
      }
      for (const p of [...this.udpPeers.values()]) this.finishPeer(p, null);
      await Promise.all(closing);
      this.connLog.flush();
      this.peerLog.flush();
      this.countPoints();
      if (server || udp || this.current.state !== 'stopped') this.setStatus('stopped', 'stopped');
    })().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  private accept(socket: Socket): void {
    // A connection that fails before we look at it must not take the process down.
    socket.on('error', () => {});
    const name = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (!this.server) {
      socket.destroy(); // stopping
      return;
    }
    if (this.tcpPeers.size >= this.maxConnections) {
      socket.destroy();
      this.refused++;
      const n = ++this.refusedLogged;
      if (n <= LOG_REFUSED)
        this.addLog(
          'warn',
          `${name}: refused — ${this.maxConnections} connections are open already (the most allowed)` +
            `${n === LOG_REFUSED ? '; further refusals are only counted' : ''}`,
        );
      return;
    }
    const peer = new Peer(name, this.countingSink, this.config, (p, l, m) => this.readerLog(p, l, m), socket);
    this.tcpPeers.add(peer);
    this.totalConnections++;
    this.connLog.log('info', `${name}: connected`);
    socket.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.feed(peer, chunk);
      this.countPoints();
    });
    socket.on('error', (e) => this.connLog.log('warn', `${name}: ${describeSocketError(e)}`));
    socket.on('close', () => this.finishPeer(peer, 'disconnected'));
    const idle = this.opts.idleTimeoutMs;
    if (idle !== undefined && idle > 0) {
      socket.setTimeout(idle, () => {
        this.connLog.log('info', `${name}: no data for ${formatSeconds(idle)} — closing the connection`);
        socket.destroy();
      });
    }
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    this.datagrams++;
    this.bytes += msg.length;
    if (msg.length === 0) return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let peer = this.udpPeers.get(key);
    if (peer) this.udpPeers.delete(key);
    else {
      peer = new Peer(key, this.countingSink, this.config, (p, l, m) => this.readerLog(p, l, m), null);
      this.totalConnections++;
      this.connLog.log('info', `${key}: new sender`);
      if (this.udpPeers.size >= MAX_UDP_SENDERS) {
        const [oldKey, oldest] = this.udpPeers.entries().next().value as [string, Peer];
        this.udpPeers.delete(oldKey);
        this.finishPeer(oldest, `forgotten (more than ${MAX_UDP_SENDERS} senders; the longest silent goes)`);
      }
    }
    this.udpPeers.set(key, peer);
    peer.lastSeen = Date.now();
    this.feed(peer, msg);
    // A datagram is complete in itself: its last line needs no line end. Ending the line (rather
    // than the reader) keeps the sender's format detection going across datagrams.
    if (msg[msg.length - 1] !== NL) this.feed(peer, NEWLINE);
    this.countPoints();
  }

  /** Bytes to a peer's reader. It counts bad input itself; this only guards against a bug taking down the app. */
  private feed(peer: Peer, bytes: Buffer): void {
    try {
      peer.reader.push(bytes);
    } catch (e) {
      this.peerLog.log('error', `${peer.name}: could not read what arrived: ${(e as Error).message}`);
    }
  }

  /** A connection closed or a sender forgotten: its last line is read and its counts kept. */
  private finishPeer(peer: Peer, why: string | null): void {
    if (peer.done) return;
    peer.done = true;
    if (peer.socket) {
      this.tcpPeers.delete(peer);
      peer.reader.end(); // a last line without its line end still counts
    } else {
      this.udpPeers.delete(peer.name);
      peer.reader.close(); // lines held for detection are decided on and recorded
    }
    const s = peer.reader.stats();
    addReaderStats(this.closed, s);
    this.countPoints();
    if (why)
      this.connLog.log(
        'info',
        `${peer.name}: ${why} after ${formatSeconds(Date.now() - peer.openedAt)}, ` +
          `${s.lines.toLocaleString('en-US')} line${s.lines === 1 ? '' : 's'}`,
      );
  }

  private readerLog(peer: Peer, level: LogLevel, message: string): void {
    // Detection always logs, so this is where a detected parser is noticed.
    if (peer.parser === null) {
      peer.parser = peer.reader.stats().parser;
      if (peer.parser) this.lastParser = peer.parser;
    }
    this.peerLog.log(level, `${peer.name}: ${message}`);
  }

  private countPoints(): void {
    if (this.pendingPoints === 0) return;
    this.rate.add(this.pendingPoints);
    this.pendingPoints = 0;
  }

  private setStatus(state: NetworkLinesState, message: string): void {
    this.current = { state, message };
    this.addLog(state === 'error' ? 'error' : 'info', message);
    this.emit('status', this.status());
  }

  private addLog(level: LogLevel, message: string): void {
    const e = { at: Date.now(), level, message };
    this.logEntries.push(e);
    if (this.logEntries.length > LOG_KEEP) this.logEntries.splice(0, this.logEntries.length - LOG_KEEP);
    this.emit('log', e);
  }
}
