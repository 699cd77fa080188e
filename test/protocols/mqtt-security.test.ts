// The MQTT plugin against a Mosquitto that wants a login (password file made with
// mosquitto_passwd) and offers TLS with a CA and server certificate made for the test by openssl:
// the right CA and login record; a wrong CA, a missing CA file, a wrong password and no login at
// all are refused, each said in a technician's words, and the plugin keeps running.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs } from '../helpers/tmp';
import { stopManagers } from '../plugins/helpers';
import { closePublishers, Mosquitto, mosquittoPasswdInstalled, publisher, stopBrokers } from './mosquitto';
import { runPlugin, waitFor, where } from './mqtt-harness';

const USERS = { tech: 'bench-pass-1', rig: 'other' };
let broker: Mosquitto;

// Without mosquitto_passwd there is no password file to make (the Debian package has it).
describe.skipIf(!mosquittoPasswdInstalled())('MQTT plugin: TLS and login', () => {
  beforeAll(async () => {
    broker = await Mosquitto.start({ tls: true, users: USERS });
  });

  afterEach(async () => {
    await closePublishers();
    await stopManagers();
    cleanupTempDirs();
  });

  afterAll(stopBrokers);

  const login = { username: 'tech', password: USERS.tech };

  it('TLS with the test CA and a login: connected, and records', async () => {
    const p = runPlugin({
      port: broker.tlsPort!,
      tls: true,
      caFile: broker.certs!.ca,
      ...login,
      rules: [{ filter: 'lab/+/temp', metric: '{1}.temp', unit: '°C', qos: 1 }],
    });
    await waitFor(
      () => p.status().startsWith(`connected to 127.0.0.1:${broker.tlsPort} · `),
      () => `a TLS connection (${where(p)})`,
    );
    expect(p.logText()).toContain(`on 127.0.0.1:${broker.tlsPort} with TLS as client plexus-bench-mqtt-`);
    const pub = await publisher(broker.port, login);
    await pub.publishAsync('lab/rig1/temp', '22.25', { qos: 1 });
    await waitFor(
      () => p.values('mqtt.rig1.temp').length === 1,
      () => `the reading (${where(p)})`,
    );
    expect(p.values('mqtt.rig1.temp')).toEqual([22.25]);
    expect(p.metricInfo()['mqtt.rig1.temp']).toEqual({ unit: '°C' });
    expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });

  it('a CA that did not sign the broker certificate is refused, with the file named', async () => {
    const p = runPlugin({ port: broker.tlsPort!, tls: true, caFile: broker.certs!.otherCa, ...login });
    const said = `the broker at 127.0.0.1:${broker.tlsPort} has a certificate not signed by the CA in ${broker.certs!.otherCa} (`;
    await waitFor(
      () => p.status().startsWith(said),
      () => `the refusal (${where(p)})`,
    );
    expect(p.status()).toMatch(
      /\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)\); retrying in/,
    );
    await waitFor(
      () => p.logText().includes(said),
      () => `the refusal in the log (${where(p)})`,
    );
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('a CA file that is not there is said as such', async () => {
    const missing = `${broker.dir}/no-such-ca.pem`;
    const p = runPlugin({ port: broker.tlsPort!, tls: true, caFile: missing, ...login });
    // The first attempt (and so this status) comes while setup() runs: wait for "running" too.
    await waitFor(
      () =>
        p.status().startsWith(`cannot read the CA file ${missing} (no such file); retrying in`) &&
        p.view().state === 'running',
      () => `the missing file (${where(p)})`,
    );
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('TLS without the system knowing the test CA: refused (no CA file given)', async () => {
    const p = runPlugin({ port: broker.tlsPort!, tls: true, ...login });
    await waitFor(
      () => p.status().includes("has a certificate not signed by the system's trusted CAs ("),
      () => `the refusal (${where(p)})`,
    );
  });

  for (const mqttVersion of ['5', '3.1.1'] as const) {
    it(`MQTT ${mqttVersion}: a wrong password and no login are refused in words; the right one records`, async () => {
      const wrong = runPlugin({ port: broker.port, mqttVersion, username: 'tech', password: 'guess' }, 'wrong');
      const anonymous = runPlugin({ port: broker.port, mqttVersion }, 'anon');
      const right = runPlugin({ port: broker.port, mqttVersion, ...login, rules: [{ filter: 'lab/#' }] }, 'right');
      await waitFor(
        () => wrong.status().startsWith(`the broker at 127.0.0.1:${broker.port} refused the login: `),
        () => `the wrong password refused (${where(wrong)})`,
      );
      // Mosquitto answers a bad password with "bad user name or password" or "not authorized"
      // depending on the MQTT version; both are the login refused.
      expect(wrong.status()).toMatch(/refused the login: (bad user name or password|not authorized); retrying in/);
      await waitFor(
        () => anonymous.status().startsWith(`the broker at 127.0.0.1:${broker.port} refused the login: `),
        () => `no login refused (${where(anonymous)})`,
      );
      await waitFor(
        () => /^connected to /.test(right.status()),
        () => `the right login (${where(right)})`,
      );
      const pub = await publisher(broker.port, { username: 'rig', password: USERS.rig });
      await pub.publishAsync('lab/psu/volts', '12', { qos: 1 });
      await waitFor(
        () => right.values('right.psu.volts').length === 1,
        () => `the reading (${where(right)})`,
      );
      expect(wrong.sink.points.filter((x) => !x.event)).toEqual([]);
      for (const p of [wrong, anonymous, right]) expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
    });
  }
});
