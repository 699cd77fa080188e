// MQTT source: subscribes to topics on a broker and records what devices publish there. The
// pieces live in their own modules (topic rules, payload reading, the connection, the batch);
// this file only wires them to the recorder's `ctx`, so it reads as the plugin's story:
// subscribe → map each topic to a metric → read the payload → record in batches → say how it goes.

import { definePlugin } from 'plexus-bench/plugin';
import { schema, settingsFrom } from './config';
import { BrokerConnection } from './connection';
import { MessageRouter } from './router';
import { Tally } from './tally';
import { TickBatch } from './tick-batch';
import { TopicMap } from './topic-map';

/** Bad payloads written to the log in full; after that they are only counted (status line). */
const LOGGED_BAD = 10;
/** How often the status line is refreshed while messages flow: often enough to watch, cheap. */
const STATUS_MS = 500;

export default definePlugin({
  id: 'mqtt',
  name: 'MQTT',
  version: '1.0.0',
  description: 'Records what devices publish to an MQTT broker: numbers, JSON objects and text.',
  config: schema,
  setup(ctx) {
    const instance = process.env.PLEXUS_PLUGIN_NAME ?? 'mqtt';
    const settings = settingsFrom(ctx.config, instance);
    const { map, problems } = TopicMap.compile(settings.rules);
    for (const p of problems) ctx.log.error(`${p}; this rule is left out`);
    const broker = `${settings.broker.host}:${settings.broker.port}`;
    if (map.size === 0) {
      // Nothing to subscribe to: say so and stay up (a crash would only be restarted into the same).
      ctx.status(`no usable topic rule (${problems[0] ?? 'the table is empty'}): fix the Topics table`);
      return;
    }
    const subscriptions = map.subscriptions();
    ctx.log.info(
      `subscribing to ${subscriptions.map((s) => `${s.filter} (QoS ${s.qos})`).join(', ')} on ${broker}` +
        `${settings.broker.tls ? ' with TLS' : ''} as client ${settings.broker.clientId}`,
    );

    const tally = new Tally(broker);
    const batch = new TickBatch(
      (points, timestamp) => ctx.sendBatch(points, { timestamp }),
      () => ctx.now(),
    );
    let shown = '';
    const showStatus = (): void => {
      const line = tally.line();
      if (line !== shown) ctx.status((shown = line));
    };

    const router = new MessageRouter(
      map,
      { maxBytes: settings.maxPayloadBytes },
      {
        point: (metric, value) => batch.add(metric, value),
        describe: (metric, unit) => ctx.describe(metric, { unit }),
        bad: (topic, problem) => {
          tally.badPayload(topic, problem);
          if (tally.bad <= LOGGED_BAD) ctx.log.warn(`bad payload on ${topic}: ${problem}`);
          if (tally.bad === LOGGED_BAD) ctx.log.warn('further bad payloads are counted in the status line, not logged');
        },
        unmatched: (topic) => {
          // Only a persistent session kept from older rules delivers these: say so once.
          if (tally.unmatched++ === 0)
            ctx.log.warn(
              `messages on ${topic} match no rule (a subscription the broker kept from older rules?): not recorded`,
            );
        },
      },
    );

    let everConnected = false;
    let lastReason = '';
    const connection = new BrokerConnection(settings.broker, subscriptions, {
      message: (topic, payload) => {
        tally.messages++;
        router.handle(topic, payload);
      },
      connected: (sessionPresent) => {
        batch.flush(); // events after the points that came before them
        ctx.event('broker.connected', broker);
        const session = sessionPresent ? ' (the broker kept our session)' : ' (a new session)';
        ctx.log.info(`connected to ${broker}${settings.broker.persistent ? session : ''}`);
        everConnected = true;
        lastReason = '';
        tally.link = { state: 'connected' };
        showStatus();
      },
      down: (reason, wasConnected, retryMs) => {
        batch.flush();
        tally.link = { state: 'down', reason, retryMs };
        showStatus();
        // The run records each loss of the link; failed retries are logged only when the reason
        // changes, so an hour-long outage is one line, not thousands.
        if (wasConnected) ctx.event('broker.disconnected', reason);
        if (wasConnected || reason !== lastReason)
          ctx.log.warn(`${wasConnected ? 'disconnected: ' : everConnected ? 'reconnecting failed: ' : ''}${reason}`);
        lastReason = reason;
      },
      warn: (text) => ctx.log.warn(text),
    });

    showStatus();
    connection.start();
    const timer = setInterval(showStatus, STATUS_MS);
    return async () => {
      clearInterval(timer);
      await connection.stop();
      batch.flush();
      ctx.status(`stopped · ${tally.counts()}`);
    };
  },
});
