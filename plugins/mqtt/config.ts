// The plugin's settings, as the window shows them (a form drawn from this schema), and what they
// mean for the connection. Declared in code, `as const`, so `ctx.config` is typed from it.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConfigOf } from 'plexus-bench/plugin';
import type { BrokerOptions } from './connection';
import type { TopicRule } from './topic-map';

export const schema = {
  type: 'object',
  properties: {
    host: { type: 'string', title: 'Broker', description: 'Host name or address', default: '127.0.0.1', minLength: 1 },
    port: {
      type: 'integer',
      title: 'Port',
      description: '1883, or 8883 with TLS',
      default: 1883,
      minimum: 1,
      maximum: 65535,
    },
    tls: { type: 'boolean', title: 'TLS', default: false },
    caFile: {
      type: 'string',
      title: 'CA file',
      description:
        "With TLS: the PEM file of the CA that signed the broker's certificate (empty: the system's trusted CAs)",
      default: '',
    },
    username: { type: 'string', title: 'User name', default: '' },
    password: { type: 'string', title: 'Password', default: '', format: 'password' },
    clientId: {
      type: 'string',
      title: 'Client id',
      description: 'Empty: one is made up (a fixed one with a persistent session)',
      default: '',
      maxLength: 128,
    },
    persistentSession: {
      type: 'boolean',
      title: 'Persistent session',
      description: 'The broker keeps QoS 1 messages while the recorder is away and delivers them when it is back',
      default: false,
    },
    mqttVersion: { type: 'string', title: 'MQTT version', enum: ['5', '3.1.1'], default: '5' },
    rules: {
      type: 'array',
      title: 'Topics',
      description:
        'The first rule whose filter matches a topic names its metric. Metric: {1} is what the first wildcard matched, {t2} the 2nd level of the topic, {t2..} the levels from the 2nd on; empty: the topic without its first level',
      items: {
        type: 'object',
        properties: {
          filter: { type: 'string', title: 'Topic filter', description: 'e.g. lab/+/temp or lab/#', minLength: 1 },
          metric: { type: 'string', title: 'Metric', description: 'e.g. {1}.temp', default: '' },
          unit: { type: 'string', title: 'Unit', default: '', maxLength: 32 },
          qos: {
            type: 'integer',
            title: 'QoS',
            description: '0: at most once; 1: at least once',
            default: 0,
            minimum: 0,
            maximum: 1,
          },
        },
        required: ['filter'],
      },
      default: [{ filter: '#', metric: '', unit: '', qos: 0 }],
      minItems: 1,
      maxItems: 100,
    },
    maxPayloadKb: {
      type: 'integer',
      title: 'Largest payload',
      description: 'Larger payloads are counted as bad, not read',
      unit: 'KiB',
      default: 64,
      minimum: 1,
      maximum: 65536,
    },
    reconnectMaxS: {
      type: 'number',
      title: 'Longest wait between reconnects',
      unit: 's',
      default: 30,
      minimum: 1,
      maximum: 600,
    },
  },
} as const;

/** The settings as `ctx.config` holds them: typed from the schema, so the two cannot drift apart. */
export type MqttConfig = ConfigOf<typeof schema>;

export interface Settings {
  broker: BrokerOptions;
  rules: TopicRule[];
  maxPayloadBytes: number;
}

/** `instance` is the plugin instance's name; it makes a made-up client id recognisable on the broker. */
export function settingsFrom(c: MqttConfig, instance: string): Settings {
  const host = c.host.trim();
  return {
    broker: {
      host,
      port: c.port,
      tls: c.tls,
      caFile: c.caFile.trim() || null,
      // An empty user name means "anonymous", not a login with an empty name.
      username: c.username === '' ? null : c.username,
      password: c.username === '' && c.password === '' ? null : c.password,
      clientId: c.clientId.trim() || madeUpClientId(instance, c.persistentSession),
      persistent: c.persistentSession,
      version: c.mqttVersion === '3.1.1' ? 4 : 5,
      reconnectMaxMs: c.reconnectMaxS * 1000,
    },
    rules: c.rules.map((r) => ({ filter: r.filter, metric: r.metric, unit: r.unit, qos: r.qos })),
    maxPayloadBytes: c.maxPayloadKb * 1024,
  };
}

/**
 * A persistent session is found again by its client id, so that one must be the same at every
 * start: made from this computer's and this instance's names. Without one, a random id: two
 * recorders must never share one, or the broker drops one each time the other connects.
 */
function madeUpClientId(instance: string, persistent: boolean): string {
  const tail = persistent
    ? hostname()
        .replace(/[^A-Za-z0-9_-]/g, '')
        .slice(0, 32)
    : randomBytes(4).toString('hex');
  return `plexus-bench-${instance}-${tail}`;
}
