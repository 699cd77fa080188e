// A real Mosquitto broker for the MQTT tests and benchmark: started on free loopback ports with a
// config file written into a temp dir, optionally with a password file (mosquitto_passwd), a TLS
// listener whose CA and server certificate are made here with openssl, and persistence (so a
// restart keeps sessions and their queued messages). Stopped with SIGTERM, as a service would be:
// Mosquitto then writes its persistence file and tells MQTT 5 clients it is shutting down.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { freePort } from '../helpers/net';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const START_DEADLINE_MS = 20_000;

export interface BrokerSetup {
  /** A TLS listener with a CA and server certificate made for the test. */
  tls?: boolean;
  /** Only these users may connect (password_file); otherwise anyone may (allow_anonymous). */
  users?: Record<string, string>;
  /** Keep sessions and queued messages across restarts (persistence in the temp dir). */
  persistence?: boolean;
  /** The plain listener's port (default: a free one). */
  port?: number;
  /** Extra plain listeners (their ports are in `extraPorts`), e.g. one for a publisher only. */
  extraListeners?: number;
}

export interface Certificates {
  /** The CA that signed the broker's certificate. */
  ca: string;
  /** Another CA, which signed nothing the broker has. */
  otherCa: string;
}

const running = new Set<Mosquitto>();

export class Mosquitto {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly tlsPort: number | null,
    readonly extraPorts: number[],
    readonly certs: Certificates | null,
    private readonly setup: BrokerSetup,
  ) {}

  /** Starts a broker; resolves once its listeners accept connections. */
  static async start(setup: BrokerSetup = {}): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'plexus-mosquitto-'));
    const port = setup.port ?? (await freePort());
    const tlsPort = setup.tls ? await freePort() : null;
    const extraPorts: number[] = [];
    for (let i = 0; i < (setup.extraListeners ?? 0); i++) extraPorts.push(await freePort());
    const certs = setup.tls ? makeCertificates(dir) : null;
    if (setup.users) {
      const file = join(dir, 'passwd');
      writeFileSync(file, '');
      for (const [user, password] of Object.entries(setup.users))
        execFileSync(MOSQUITTO_PASSWD, ['-b', file, user, password], { stdio: 'pipe' });
    }
    const m = new Mosquitto(dir, port, tlsPort, extraPorts, certs, setup);
    running.add(m);
    await m.run();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** What the broker logged (for failure messages). */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'mosquitto.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * (Re)starts the broker on the same ports with the same persistence. `only` limits the plain
   * listeners to those ports: a client whose port is left out finds it refusing, while the others
   * publish — how a test makes the broker hold messages for a client it cannot reach.
   */
  async run(only?: number[]): Promise<void> {
    if (this.child) throw new Error('the broker is already running');
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(conf, this.config(only));
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const ports = [...(only ?? [this.port, ...this.extraPorts]), ...(this.tlsPort ? [this.tlsPort] : [])];
    const t0 = Date.now();
    for (const p of ports) {
      while (!(await accepts(p))) {
        if (this.child !== child)
          throw new Error(`mosquitto exited at start: ${stderr.trim() || this.log().slice(-2000)}`);
        if (Date.now() - t0 > START_DEADLINE_MS)
          throw new Error(
            `mosquitto did not accept on port ${p} within ${START_DEADLINE_MS} ms: ${this.log().slice(-2000)}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** SIGTERM, as a service manager stops it (it saves its persistence file); SIGKILL if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killed);
  }

  async restart(only?: number[]): Promise<void> {
    await this.stop();
    await this.run(only);
  }

  async dispose(): Promise<void> {
    await this.stop();
    running.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private config(only?: number[]): string {
    const s = this.setup;
    const lines = [
      `user ${userInfo().username}`, // as root, Mosquitto would switch to "mosquitto", who cannot read the temp dir
      'per_listener_settings false',
      `allow_anonymous ${s.users ? 'false' : 'true'}`,
      ...(s.users ? [`password_file ${join(this.dir, 'passwd')}`] : []),
      `log_dest file ${join(this.dir, 'mosquitto.log')}`,
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'connection_messages true',
      // Hold every queued message (the default drops past 1,000 per client): the tests and the
      // benchmark count every message, and the broker must not be what loses them.
      'max_queued_messages 0',
      ...(s.persistence ? ['persistence true', `persistence_location ${this.dir}/`, 'autosave_interval 1'] : []),
    ];
    for (const p of only ?? [this.port, ...this.extraPorts]) lines.push(`listener ${p} 127.0.0.1`);
    if (this.tlsPort && this.certs) {
      lines.push(
        `listener ${this.tlsPort} 127.0.0.1`,
        `cafile ${this.certs.ca}`,
        `certfile ${join(this.dir, 'server.crt')}`,
        `keyfile ${join(this.dir, 'server.key')}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Stops every broker still running (for afterAll). */
export async function stopBrokers(): Promise<void> {
  await Promise.all([...running].map((m) => m.dispose()));
}

const publishers = new Set<MqttClient>();

/** A second MQTT client, as a device on the bench would be: publishes to the broker on `port`. */
export async function publisher(port: number, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await connectAsync({ host: '127.0.0.1', port, reconnectPeriod: 200, ...opts });
  publishers.add(c);
  return c;
}

export async function closePublishers(): Promise<void> {
  await Promise.all([...publishers].map((c) => c.endAsync(true)));
  publishers.clear();
}

export const mosquittoPasswdInstalled = (): boolean => existsSync(MOSQUITTO_PASSWD);

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A test CA, a server certificate it signs (for 127.0.0.1 and localhost), and an unrelated CA. */
function makeCertificates(dir: string): Certificates {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=Plexus Test CA');
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('other.key'),
    '-out',
    f('other.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=Some Other CA',
  );
  ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
  );
  return { ca: f('ca.crt'), otherCa: f('other.crt') };
}
