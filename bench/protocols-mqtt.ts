// The MQTT plugin's throughput: a real Mosquitto on loopback, the shipped plugin run for real
// through the Plugins manager (its worker thread, ctx.sendBatch, the host's point path) into a
// sink that only counts, and a publisher client sending numeric messages at QoS 0 as fast as the
// broker takes them. Called from bench/protocols.bench.ts.
//
//   mqtt_msgs_per_s        messages recorded per second, from the first publish to the last
//                          message reaching the sink (median of three runs)
//   mqtt_publish_msgs_per_s  how fast the publisher got them into the broker (same runs, median):
//                          when it is close to the first figure, the publisher was the limit
//   mqtt_messages          messages per run
//   mqtt_lost              messages that never reached the sink, the worst run (should be 0)
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { Mosquitto } from '../test/protocols/mosquitto';
import { countingPlugins, eachRun, median, ROOT, sleep, until } from './protocols-support';

const MESSAGES = 200_000;
const TOPICS = 8; // a few devices' worth: the plugin's topic cache, not one hot entry
/** The publisher waits for the socket to take each chunk before the next: the broker sets the pace.
 * (Chunks stay small: MQTT.js adds a "drain" listener per packet the socket has not taken yet.) */
const CHUNK = 500;
const DEADLINE_MS = 120_000;

export async function measureMqtt(): Promise<{ mqtt_msgs_per_s: number; [k: string]: number }> {
  const broker = await Mosquitto.start();
  let received = 0;
  let lastAt = 0;
  const count = (n: number): number => {
    received += n;
    lastAt = performance.now();
    return received;
  };
  const plugins = countingPlugins(broker.dir, {
    send: () => count(1),
    event: () => received, // the plugin's connection events are not messages
    sendBatch: (points) => count(points.filter((p) => typeof p.value === 'number').length),
  });
  let pub: MqttClient | null = null;
  try {
    plugins.add(join(ROOT, 'plugins', 'mqtt'), 'mqtt', { port: broker.port, rules: [{ filter: 'bench/#' }] });
    await until(
      () => /^connected to /.test(plugins.views()[0]?.statusText ?? ''),
      30_000,
      () => `the plugin to connect (${plugins.views()[0]?.statusText ?? 'no status'})`,
    );
    pub = await connectAsync({ host: '127.0.0.1', port: broker.port });
    const runs = await eachRun(async () => {
      received = 0;
      const t0 = performance.now();
      for (let i = 0; i < MESSAGES; i += CHUNK) {
        const end = Math.min(MESSAGES, i + CHUNK);
        await new Promise<void>((resolve, reject) => {
          for (let k = i; k < end; k++)
            pub!.publish(`bench/ch${k % TOPICS}`, String(k / 10), { qos: 0 }, (e) => {
              if (e) reject(e);
              else if (k === end - 1) resolve();
            });
        });
      }
      const publishRate = MESSAGES / ((performance.now() - t0) / 1000);
      const deadline = Date.now() + DEADLINE_MS;
      let seen = -1;
      // Done when all arrived, or nothing more came for 3 s (the rest was lost).
      while (received < MESSAGES && Date.now() < deadline) {
        if (received === seen && performance.now() - lastAt > 3000) break;
        seen = received;
        await sleep(20);
      }
      const run = { rate: received / ((lastAt - t0) / 1000), publishRate, lost: MESSAGES - received };
      await sleep(500); // let the broker and the plugin settle between runs
      return run;
    });
    return {
      mqtt_msgs_per_s: Math.round(median(runs.map((r) => r.rate))),
      mqtt_publish_msgs_per_s: Math.round(median(runs.map((r) => r.publishRate))),
      mqtt_messages: MESSAGES,
      mqtt_lost: Math.max(0, ...runs.map((r) => r.lost)),
    };
  } finally {
    await pub?.endAsync(true);
    await plugins.stopAll();
    await broker.dispose();
  }
}
