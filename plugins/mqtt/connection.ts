// The link to the broker: connects, subscribes, hands over messages and, when the link drops or
// cannot be made, says why and tries again with backoff, for as long as the plugin runs.
//
// Each attempt uses a fresh MQTT.js client with its own reconnecting switched off: MQTT.js retries
// at a fixed period, while a broker that is down for an hour should be retried less and less
// often, and each attempt re-reads the CA file, so a certificate fixed on disk is picked up
// without a restart. Nothing is lost by the fresh client: a subscriber keeps no state of its own,
// and with a persistent session the broker keeps the subscriptions and the queued messages.

import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type ISubscriptionGrant, type ISubscriptionMap, type MqttClient } from 'mqtt';
import { Backoff } from './backoff';
import { describeDisconnect, describeError, type Where } from './errors';
import { filterMatches, type Subscription } from './topic-map';

/** Topics whose first matching subscription is kept (a bench's devices use a handful). */
const FIRST_SUBSCRIPTIONS_KEPT = 10_000;

export interface BrokerOptions {
  host: string;
  port: number;
  tls: boolean;
  /** PEM file of the CA that signed the broker's certificate; null: the system's trusted CAs. */
  caFile: string | null;
  username: string | null;
  password: string | null;
  clientId: string;
  /** Ask the broker to keep the session (subscriptions, QoS 1 messages) while disconnected. */
  persistent: boolean;
  /** 4 is MQTT 3.1.1, 5 is MQTT 5. */
  version: 4 | 5;
  /** The longest wait between attempts (ms). */
  reconnectMaxMs: number;
}

export interface ConnectionEvents {
  message(topic: string, payload: Buffer): void;
  connected(sessionPresent: boolean): void;
  /** The link dropped (`wasConnected`) or an attempt failed; the next one is in `retryMs`. */
  down(reason: string, wasConnected: boolean, retryMs: number): void;
  /** Something the technician should know that does not stop the link (a refused subscription). */
  warn(text: string): void;
}

/** How long the broker keeps a persistent session while the recorder is away: a long weekend. */
const SESSION_EXPIRY_S = 4 * 24 * 3600;
/** A connection that held this long counts as good: the next failure is retried quickly again. */
const HELD_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const KEEPALIVE_S = 30;
/** On stop, how long to wait for the broker to take our DISCONNECT before cutting the link. */
const GOODBYE_MS = 2000;

export class BrokerConnection {
  /** Each topic's first matching subscription identifier (0: none), as isFirstCopy found it. */
  private readonly firstSubscription = new Map<string, number>();
  readonly where: Where;
  private client: MqttClient | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private connectedAt = 0;
  private readonly backoff: Backoff;

  constructor(
    private readonly opts: BrokerOptions,
    private readonly subscriptions: readonly Subscription[],
    private readonly on: ConnectionEvents,
  ) {
    this.where = { broker: `${opts.host}:${opts.port}`, host: opts.host, caFile: opts.tls ? opts.caFile : null };
    this.backoff = new Backoff({ minMs: 500, maxMs: Math.max(500, opts.reconnectMaxMs), jitter: 0.2 });
  }

  start(): void {
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (!client) return;
    // A DISCONNECT tells the broker we left on purpose (no "last will", and a persistent session
    // is kept as it should be); a broker that does not answer must not hold up the stop.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.endAsync().catch(() => {}),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, GOODBYE_MS))),
    ]);
    clearTimeout(timer);
    client.end(true);
  }

  private attempt(): void {
    this.retry = null;
    if (this.stopped) return;
    const o = this.opts;
    let ca: Buffer | undefined;
    if (o.tls && o.caFile) {
      try {
        ca = readFileSync(o.caFile);
      } catch (e) {
        const code = (e as { code?: string }).code;
        const why =
          code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not allowed to read it' : (e as Error).message;
        this.failed(`cannot read the CA file ${o.caFile} (${why})`, false);
        return;
      }
    }

    const options: IClientOptions = {
      protocol: o.tls ? 'mqtts' : 'mqtt',
      host: o.host,
      port: o.port,
      protocolVersion: o.version,
      clientId: o.clientId,
      clean: !o.persistent,
      keepalive: KEEPALIVE_S,
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectPeriod: 0, // we retry ourselves, with backoff (see the top of this file)
      resubscribe: false, // a fresh client per attempt subscribes on connect itself
      rejectUnauthorized: true,
      ...(ca ? { ca } : {}),
      ...(o.username !== null ? { username: o.username } : {}),
      ...(o.password !== null ? { password: o.password } : {}),
      ...(o.version === 5 && o.persistent ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
    };

    const client = connect(options);
    this.client = client;
    let connected = false;
    let reason: string | null = null;

    client.on('connect', (connack) => {
      connected = true;
      this.connectedAt = Date.now();
      this.subscribe(client);
      this.on.connected(connack.sessionPresent);
    });
    client.on('message', (topic, payload, packet) => {
      if (this.isFirstCopy(topic, packet.properties?.subscriptionIdentifier)) this.on.message(topic, payload);
    });
    // MQTT.js reports every failure as 'error' (throwing when nobody listens) and then 'close':
    // keep the reason, report once on close.
    client.on('error', (e) => (reason ??= describeError(e, this.where, connected)));
    client.on('disconnect', (packet) => (reason ??= describeDisconnect(packet.reasonCode, this.where)));
    client.on('close', () => {
      if (this.client !== client) return; // stopped, or an older attempt
      this.client = null;
      client.end(true);
      this.failed(
        reason ??
          (connected
            ? `the broker at ${this.where.broker} closed the connection`
            : `cannot reach the broker at ${this.where.broker} (the connection closed before the broker answered)`),
        connected,
      );
    });
  }

  private subscribe(client: MqttClient): void {
    const done = (err: Error | null, granted?: ISubscriptionGrant[]): void => {
      if (err) {
        // The link dropping mid-subscribe says so itself, on close.
        if (client.connected) this.on.warn(`subscribing failed: ${err.message}`);
        return;
      }
      for (const g of granted ?? []) {
        // MQTT 3.1.1 grants 0x80 for a refusal; MQTT 5 a reason code (0x87: not authorized).
        const code: number = g.qos;
        if (code >= 0x80)
          this.on.warn(
            `the broker refused the subscription to ${JSON.stringify(g.topic)} (${code === 0x87 ? 'not authorized' : `code ${code}`}): nothing from it is recorded`,
          );
      }
    };
    if (this.opts.version !== 5) {
      const map: ISubscriptionMap = {};
      for (const s of this.subscriptions) map[s.filter] = { qos: s.qos };
      client.subscribe(map, done);
      return;
    }
    // MQTT 5: each filter its own subscription identifier (1, 2, …), so a message that two
    // overlapping filters match (lab/+/temp and lab/rig1/+), which the broker may send once per
    // subscription, is recorded once (isFirstCopy). Retain handling 1: retained messages only
    // for a new subscription, so reconnecting to a persistent session does not record the
    // retained values again as if they were new.
    this.subscriptions.forEach((s, i) =>
      client.subscribe({ [s.filter]: { qos: s.qos, rh: 1 } }, { properties: { subscriptionIdentifier: i + 1 } }, done),
    );
  }

  /**
   * Whether this delivery is the one to record: with MQTT 5's subscription identifiers, the copy
   * that carries the first of our filters matching the topic; without them (MQTT 3.1.1, which
   * delivers once), every delivery.
   */
  private isFirstCopy(topic: string, ids: number | number[] | undefined): boolean {
    if (ids === undefined || this.subscriptions.length === 1) return true;
    // A device publishes to the same few topics over and over: each topic's answer is kept.
    let first = this.firstSubscription.get(topic);
    if (first === undefined) {
      first = this.subscriptions.findIndex((s) => filterMatches(s.filter, topic)) + 1;
      if (this.firstSubscription.size >= FIRST_SUBSCRIPTIONS_KEPT) this.firstSubscription.clear();
      this.firstSubscription.set(topic, first);
    }
    return first === 0 || (Array.isArray(ids) ? ids.includes(first) : ids === first);
  }

  private failed(reason: string, wasConnected: boolean): void {
    if (this.stopped) return;
    if (wasConnected && Date.now() - this.connectedAt >= HELD_MS) this.backoff.reset();
    const delay = this.backoff.next();
    this.on.down(reason, wasConnected, delay);
    this.retry = setTimeout(() => this.attempt(), delay);
  }
}
