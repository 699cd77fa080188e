// A broker restart mid-stream at QoS 1 with a persistent session: Mosquitto (with persistence)
// keeps the plugin's session, and every message the broker accepted — before, during and after
// the plugin's absence — reaches the recording. The plugin shows the disconnect in its status
// line and log and records it as an event, so the run says when the data had a gap.
//
// To make "while the plugin was away" certain rather than a race, the broker has two listeners:
// the plugin's and the publisher's. After the first restart only the publisher's is open, so the
// plugin is refused while the broker accepts and queues; then the broker restarts with both and
// must deliver the queue from its persistence file.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs } from '../helpers/tmp';
import { stopManagers } from '../plugins/helpers';
import { closePublishers, Mosquitto, publisher, stopBrokers } from './mosquitto';
import { runPlugin, waitFor, where } from './mqtt-harness';

afterEach(async () => {
  await closePublishers();
  await stopManagers();
  cleanupTempDirs();
});

afterAll(stopBrokers);

for (const mqttVersion of ['5', '3.1.1'] as const) {
  describe(`MQTT ${mqttVersion}: broker restart mid-stream at QoS 1, persistent session`, () => {
    it('loses nothing the broker accepted, and shows the disconnect', async () => {
      const broker = await Mosquitto.start({ persistence: true, extraListeners: 1 });
      const pubPort = broker.extraPorts[0]!;
      const p = runPlugin({
        port: broker.port,
        persistentSession: true,
        clientId: `plexus-restart-test-${mqttVersion}`,
        mqttVersion,
        reconnectMaxS: 2,
        rules: [{ filter: 'lab/seq', metric: 'seq', qos: 1 }],
      });
      const plugged = new RegExp(`^connected to 127\\.0\\.0\\.1:${broker.port} · `);
      await waitFor(
        () => plugged.test(p.status()),
        () => `the plugin connected (${where(p)})`,
      );

      // The publisher: sequence numbers at QoS 1, one after the other; a number counts as
      // accepted once the broker acknowledged it (MQTT.js re-sends unacknowledged ones itself
      // after a reconnect).
      const pub = await publisher(pubPort, { clientId: `plexus-restart-pub-${mqttVersion}` });
      const acked = new Set<number>();
      let publishing = true;
      const loop = (async () => {
        for (let n = 1; publishing; n++) {
          await pub.publishAsync('lab/seq', String(n), { qos: 1 });
          acked.add(n);
        }
      })();
      const got = (): Set<number> => new Set(p.values('mqtt.seq') as number[]);
      const missing = (): number[] => {
        const have = got();
        return [...acked].filter((n) => !have.has(n));
      };

      await waitFor(
        () => got().size >= 200,
        () => `200 messages before the restart (${where(p)})`,
      );
      await broker.stop(); // mid-stream
      await waitFor(
        () => p.events('mqtt.broker.disconnected').length === 1,
        () => `the disconnect recorded (${where(p)})`,
      );
      const reason = p.events('mqtt.broker.disconnected')[0] as string;
      // An MQTT 5 broker may say why (newer Mosquitto: shutting down); otherwise the link just
      // closes, or is reset when the broker exits with our acknowledgements unread (or while we
      // write one).
      expect(reason).toMatch(
        new RegExp(
          `^the broker at 127\\.0\\.0\\.1:${broker.port} (is shutting down|closed the connection|dropped the connection \\((ECONNRESET|EPIPE)\\))$`,
        ),
      );
      expect(p.logText()).toContain(`warn: disconnected: ${reason}`);

      // Back, but only for the publisher: the broker accepts and queues for the absent plugin.
      await broker.run([pubPort]);
      const before = acked.size;
      await waitFor(
        () => acked.size >= before + 300,
        () => `300 messages accepted while the plugin is away`,
      );
      // The plugin's next attempt finds its port shut (and says so), while the broker queues.
      await waitFor(
        () => p.status().startsWith(`cannot reach the broker at 127.0.0.1:${broker.port} (connection refused`),
        () => `the plugin refused (${where(p)})`,
      );
      publishing = false;
      await loop;
      expect(missing().length).toBeGreaterThanOrEqual(300); // accepted while the plugin was away

      // Restart with both listeners: the queue comes back from the persistence file.
      await broker.restart();
      await waitFor(
        () => missing().length === 0,
        () => `every accepted message (${missing().length} of ${acked.size} missing; ${where(p)})`,
      );
      await waitFor(
        () => plugged.test(p.status()),
        () => `the plugin connected again (${where(p)})`,
      );
      expect(p.events('mqtt.broker.connected')).toHaveLength(2);
      expect(p.events('mqtt.broker.disconnected')).toHaveLength(1);
      expect(p.logText()).toContain('(the broker kept our session)');
      // The gap is in the run: the disconnect event lies between the readings before and after.
      const order = p.sink.points.map((x) => x.metric);
      const gap = order.indexOf('mqtt.broker.disconnected');
      expect(order.slice(0, gap)).toContain('mqtt.seq');
      expect(order.slice(gap)).toContain('mqtt.seq');
      expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
    });
  });
}
