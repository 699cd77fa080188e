// The MQTT plugin run for real (Plugins manager, worker thread) against a real Mosquitto broker,
// with a second MQTT.js client publishing as the bench's devices would: every payload kind,
// wildcard rules and templates, units, bad payloads counted while good ones keep flowing, and an
// unreachable broker said in words.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net';
import { cleanupTempDirs } from '../helpers/tmp';
import { stopManagers } from '../plugins/helpers';
import { closePublishers, Mosquitto, publisher, stopBrokers } from './mosquitto';
import { runPlugin, waitFor, where } from './mqtt-harness';

let broker: Mosquitto;

beforeAll(async () => {
  broker = await Mosquitto.start();
});

afterEach(async () => {
  await closePublishers();
  await stopManagers();
  cleanupTempDirs();
});

afterAll(stopBrokers);

const connectedLine = (): RegExp => new RegExp(`^connected to 127\\.0\\.0\\.1:${broker.port} · `);

describe('MQTT plugin with a real broker', () => {
  it('records numbers, flattened JSON and text under the metrics its rules name, with units', async () => {
    const p = runPlugin({
      port: broker.port,
      rules: [
        { filter: 'lab/+/temp', metric: '{1}.temperature', unit: '°C' },
        { filter: 'plant/+/#', metric: '{1}.{2}', unit: 'bar', qos: 1 },
        { filter: 'lab/#' }, // the default template: drop "lab", join the rest
      ],
    });
    await waitFor(
      () => connectedLine().test(p.status()),
      () => `the plugin connected (${where(p)})`,
    );
    const pub = await publisher(broker.port);
    await pub.publishAsync('lab/rig1/temp', '21.5', { qos: 1 });
    await pub.publishAsync('lab/rig2/temp', '-4e-1', { qos: 1 });
    await pub.publishAsync('lab/rig1/state', '{"door":"open","psu":{"v":12.1,"i":0.52},"ok":true,"cells":[3.61]}', {
      qos: 1,
    });
    await pub.publishAsync('lab/rig1/log', 'calibration started', { qos: 1 });
    await pub.publishAsync('plant/line3/oven/zone2', '1.8', { qos: 1 });
    await pub.publishAsync('lab/rig1/clear', '', { qos: 1 }); // clears a retained message: nothing recorded

    await waitFor(
      () => p.values('mqtt.line3.oven.zone2').length === 1,
      () => `the last message (${where(p)})`,
    );
    await waitFor(
      () => /· 6 messages$/.test(p.status()),
      () => `the status count (${where(p)})`,
    );
    expect(p.values('mqtt.rig1.temperature')).toEqual([21.5]);
    expect(p.values('mqtt.rig2.temperature')).toEqual([-0.4]);
    expect(p.values('mqtt.rig1.state.door')).toEqual(['open']);
    expect(p.values('mqtt.rig1.state.psu.v')).toEqual([12.1]);
    expect(p.values('mqtt.rig1.state.psu.i')).toEqual([0.52]);
    expect(p.values('mqtt.rig1.state.ok')).toEqual([true]);
    expect(p.values('mqtt.rig1.state.cells.0')).toEqual([3.61]);
    expect(p.sink.of('mqtt.rig1.log')).toMatchObject([{ value: 'calibration started', event: true }]);
    expect(p.values('mqtt.line3.oven.zone2')).toEqual([1.8]);
    // lab/+/temp is also inside lab/#: subscribed once, so each reading is recorded once.
    const data = p.sink.points.filter((x) => !x.metric.startsWith('mqtt.broker.'));
    expect(data).toHaveLength(9);
    expect(p.sink.of('mqtt.rig1.temperature')[0]!.event).toBe(false);

    const info = p.metricInfo();
    expect(info['mqtt.rig1.temperature']).toEqual({ unit: '°C' });
    expect(info['mqtt.line3.oven.zone2']).toEqual({ unit: 'bar' });
    expect(info['mqtt.rig1.state.psu.v']).toBeUndefined(); // the lab/# rule gives no unit

    expect(p.events('mqtt.broker.connected')).toEqual([`127.0.0.1:${broker.port}`]);
    expect(p.logText()).toContain(`subscribing to plant/+/# (QoS 1), lab/# (QoS 0) on 127.0.0.1:${broker.port}`);
    expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });

  it('records a reading once when two rules’ filters both match its topic, in MQTT 5 and 3.1.1', async () => {
    for (const mqttVersion of ['5', '3.1.1']) {
      // Neither filter covers the other, so both are subscribed; a broker may deliver the message
      // once per matching subscription. The first rule names it.
      const name = mqttVersion === '5' ? 'mqtt5' : 'mqtt311';
      const p = runPlugin(
        {
          port: broker.port,
          mqttVersion,
          rules: [
            { filter: 'lab/+/temp', metric: '{1}.temp', qos: 1 },
            { filter: 'lab/rig1/+', metric: 'rig1.{1}', qos: 1 },
          ],
        },
        name,
      );
      await waitFor(
        () => connectedLine().test(p.status()),
        () => `the plugin connected (${where(p)})`,
      );
      const pub = await publisher(broker.port);
      for (let i = 0; i < 3; i++) await pub.publishAsync('lab/rig1/temp', String(20 + i), { qos: 1 });
      await pub.publishAsync('lab/rig1/state', '7', { qos: 1 }); // only the second rule matches
      await waitFor(
        () => p.values(`${name}.rig1.state`).length === 1,
        () => `the last message (${where(p)})`,
      );
      // Anything sent twice would have arrived by now: the broker sends its copies in order.
      expect(p.values(`${name}.rig1.temp`)).toEqual([20, 21, 22]);
      expect(p.values(`${name}.rig1.state`)).toEqual([7]);
      await stopManagers();
    }
  });

  it('counts and shows bad payloads while the good ones keep flowing', async () => {
    const p = runPlugin({ port: broker.port, maxPayloadKb: 1, rules: [{ filter: 'lab/#' }] }, 'bench');
    await waitFor(
      () => connectedLine().test(p.status()),
      () => `the plugin connected (${where(p)})`,
    );
    const pub = await publisher(broker.port);
    const bad: Array<[string, Buffer]> = [
      ['lab/rig/raw', Buffer.from([0xff, 0xfe, 0x00, 0x41])],
      ['lab/rig/json', Buffer.from('{"a":')],
      ['lab/rig/big', Buffer.alloc(2000, 0x31)],
      ['lab/rig/nan', Buffer.from('NaN')],
    ];
    for (let i = 0; i < 400; i++) {
      pub.publish('lab/rig/v', String(i));
      if (i % 100 === 50) {
        const [topic, payload] = bad[(i - 50) / 100]!;
        pub.publish(topic, payload);
      }
    }
    await waitFor(
      () => p.values('bench.rig.v').length === 400,
      () => `400 good values (${where(p)})`,
    );
    expect(p.values('bench.rig.v')).toEqual(Array.from({ length: 400 }, (_, i) => i)); // all, in order
    await waitFor(
      () => p.status().startsWith(`connected to 127.0.0.1:${broker.port} · 404 messages · 4 bad payloads (last: `),
      () => `the bad payloads in the status line (${where(p)})`,
    );
    expect(p.status()).toBe(
      `connected to 127.0.0.1:${broker.port} · 404 messages · 4 bad payloads (last: lab/rig/nan: "NaN" is not a finite number (a failed reading?))`,
    );
    const log = p.logText();
    expect(log).toContain('warn: bad payload on lab/rig/raw: payload is not UTF-8 text (4 bytes: ff fe 00 41)');
    expect(log).toContain('warn: bad payload on lab/rig/json: JSON that does not parse: "{\\"a\\":"');
    expect(log).toContain('warn: bad payload on lab/rig/big: payload too large (2,000 bytes, the limit is 1,024)');
    // Nothing of the bad payloads was recorded, and the recorder refused nothing.
    expect(p.sink.points.filter((x) => x.metric !== 'bench.rig.v' && !x.metric.startsWith('bench.broker.'))).toEqual(
      [],
    );
    expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });

  it('a broker that is not there: said in words, retried, and picked up when it comes', async () => {
    const port = await freePort();
    const p = runPlugin({ port, reconnectMaxS: 1 });
    await waitFor(
      () => p.status().startsWith(`cannot reach the broker at 127.0.0.1:${port} (connection refused`),
      () => `the refusal in the status line (${where(p)})`,
    );
    expect(p.status()).toMatch(/; retrying in \d+\.\d s · 0 messages$/);
    // The log line is a message of its own, after the status: wait for it too.
    await waitFor(
      () => p.logText().includes(`warn: cannot reach the broker at 127.0.0.1:${port} (connection refused`),
      () => `the refusal in the log (${where(p)})`,
    );
    expect(p.events('mqtt.broker.disconnected')).toEqual([]); // it never was connected

    const late = await Mosquitto.start({ port });
    await waitFor(
      () => p.status().startsWith(`connected to 127.0.0.1:${port} · `),
      () => `reconnected (${where(p)})`,
    );
    const pub = await publisher(late.port);
    await pub.publishAsync('lab/rig/v', '1', { qos: 1 });
    await waitFor(
      () => p.values('mqtt.rig.v').length === 1,
      () => `a value (${where(p)})`,
    );
    // Each failed attempt is not a log line of its own: the reason is said once.
    expect(p.view().log.filter((l) => l.message.includes('cannot reach'))).toHaveLength(1);
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('a rule that cannot work is left out and logged; the plugin keeps running on the others', async () => {
    const p = runPlugin({
      port: broker.port,
      rules: [
        { filter: 'lab/#/x', metric: 'a' },
        { filter: 'lab/+/v', metric: '{1}.{2}' },
        { filter: 'lab/+/v', metric: 'ok.{1}' },
      ],
    });
    await waitFor(
      () => connectedLine().test(p.status()),
      () => `the plugin connected (${where(p)})`,
    );
    const pub = await publisher(broker.port);
    await pub.publishAsync('lab/r1/v', '5', { qos: 1 });
    await waitFor(
      () => p.values('mqtt.ok.r1').length === 1,
      () => `the value (${where(p)})`,
    );
    expect(p.logText()).toContain(
      'error: rule 1 ("lab/#/x"): "#" must be a whole level, and the last one (like lab/#); this rule is left out',
    );
    expect(p.logText()).toContain('error: rule 2 ("lab/+/v"): {2} refers to wildcard 2, but the filter has 1');
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('refuses settings its schema does not allow, before anything runs', async () => {
    const p = runPlugin({ port: broker.port, rules: [{ filter: 'lab/#', qos: 2 }] });
    await waitFor(
      () => p.view().state === 'invalid',
      () => `the config refused (${where(p)})`,
    );
    expect(p.view().message).toMatch(/row 1: QoS must be at most 1/);
  });
});
