// A simulated bench power supply that speaks SCPI, for the SCPI plugin's tests and benchmark.
// Modelled on the subset that Keysight E36xx and Rigol DP800 supplies share: *IDN?, *RST, *CLS,
// *OPC?, [SOURce:]VOLTage / CURRent (set and query, MIN/MAX/DEF), OUTPut[:STATe] ON|OFF,
// MEASure[:SCALar]:VOLTage? / CURRent? (from a resistive load), SYSTem:ERRor? with a real error
// queue. Headers take the short or the long form in any case (MEAS:VOLT?, measure:voltage?),
// several commands may share a line (VOLT 5;CURR 1), every answer ends with "\n".
//
// It serves a TCP port on 127.0.0.1 and, on request, the device end of a pty pair; a delay before
// each answer (a slow instrument), answers replaced by garbage, and dropped connections are set
// while it runs.
import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';

export const SIM_IDN = 'PLEXUS SIM,BENCH PSU 30V-5A,SN000042,1.4.2';
export const LIMITS = { volts: 30, amps: 5 };
const QUEUE_SIZE = 10; // Keysight E36xx keep 20, Rigol 10 or so; the overflow rule is the same

type Answer = string | null;
type Handler = (psu: PowerSupply, args: string, query: boolean) => Answer;

interface CommandSpec {
  /** The SCPI tree form: upper case is the short form, [] optional nodes. */
  spec: string;
  /** The name tests use to replace its answers (`overrides`). */
  name: string;
  handler: Handler;
  /** It exists as a query only (no setting form), or as a setting only. */
  only?: 'query' | 'set';
}

/** The supply's state and its command interpreter: one line in, the answer line (or none) out. */
export class PowerSupply {
  volts = 0;
  amps = 1;
  output = false;
  /** The load on the terminals: what MEAS:CURR? sees. */
  loadOhms = 10;
  readonly errors: string[] = [];
  /** Canonical query name (e.g. "MEAS:CURR?") → the raw answer to give instead. */
  readonly overrides = new Map<string, string>();

  reset(): void {
    this.volts = 0;
    this.amps = 1;
    this.output = false;
  }

  /** Voltage and current at the terminals: constant voltage until the limit, then constant current. */
  measured(): { volts: number; amps: number } {
    if (!this.output) return { volts: 0, amps: 0 };
    const cv = this.volts / this.loadOhms;
    return cv <= this.amps ? { volts: this.volts, amps: cv } : { volts: this.amps * this.loadOhms, amps: this.amps };
  }

  pushError(code: number, message: string): void {
    if (this.errors.length >= QUEUE_SIZE) this.errors[QUEUE_SIZE - 1] = '-350,"Queue overflow"';
    else this.errors.push(`${code},"${message}"`);
  }

  /** One line from the host: its answer (several queries answer together, ";"-separated). */
  handle(line: string): Answer {
    const answers: string[] = [];
    for (const part of line.split(';')) {
      const text = part.trim();
      if (!text) continue;
      const m = /^(\S+)\s*(.*)$/.exec(text)!;
      const header = m[1]!;
      const args = m[2]!.trim();
      const query = header.endsWith('?');
      const cmd = COMMANDS.find(
        (c) => c.regex.test(header) && (c.only === undefined || (c.only === 'query') === query),
      );
      if (!cmd) {
        this.pushError(-113, 'Undefined header');
        continue;
      }
      const answer = cmd.handler(this, args, query);
      if (answer !== null) answers.push(this.overrides.get(cmd.name) ?? answer);
    }
    return answers.length ? answers.join(';') : null;
  }
}

function level(which: 'volts' | 'amps'): Handler {
  return (psu, args, query) => {
    if (query) {
      const a = args.toUpperCase();
      if (a === '') return nr3(psu[which]);
      if (/^MIN(IMUM)?$/.test(a)) return nr3(0);
      if (/^MAX(IMUM)?$/.test(a)) return nr3(LIMITS[which]);
      psu.pushError(-108, 'Parameter not allowed');
      return null;
    }
    const v = parseLevel(args, which === 'volts' ? 'V' : 'A');
    if (v === 'missing') psu.pushError(-109, 'Missing parameter');
    else if (v === 'bad') psu.pushError(-104, 'Data type error');
    else if (v === 'min') psu[which] = 0;
    else if (v === 'max') psu[which] = LIMITS[which];
    else if (v === 'def') psu[which] = which === 'volts' ? 0 : 1;
    else if (v < 0 || v > LIMITS[which]) psu.pushError(-222, 'Data out of range');
    else psu[which] = v;
    return null;
  };
}

/** A level parameter: a number (with an optional unit, "1.5", "500 mV"), MIN, MAX or DEF. */
function parseLevel(args: string, unit: 'V' | 'A'): number | 'missing' | 'bad' | 'min' | 'max' | 'def' {
  if (!args) return 'missing';
  const a = args.toUpperCase();
  if (/^MIN(IMUM)?$/.test(a)) return 'min';
  if (/^MAX(IMUM)?$/.test(a)) return 'max';
  if (/^DEF(AULT)?$/.test(a)) return 'def';
  const m = new RegExp(`^([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:E[+-]?\\d+)?)\\s*(M?${unit})?$`).exec(a);
  if (!m) return 'bad';
  return Number(m[1]) / (m[2]?.startsWith('M') ? 1000 : 1);
}

const COMMANDS = (
  [
    { spec: '*IDN?', name: '*IDN?', only: 'query', handler: () => SIM_IDN },
    { spec: '*RST', name: '*RST', only: 'set', handler: (p) => (p.reset(), null) },
    { spec: '*CLS', name: '*CLS', only: 'set', handler: (p) => ((p.errors.length = 0), null) },
    { spec: '*OPC?', name: '*OPC?', only: 'query', handler: () => '1' },
    { spec: '[SOURce:]VOLTage[:LEVel][:IMMediate][:AMPLitude]', name: 'VOLT', handler: level('volts') },
    { spec: '[SOURce:]CURRent[:LEVel][:IMMediate][:AMPLitude]', name: 'CURR', handler: level('amps') },
    {
      spec: 'OUTPut[:STATe]',
      name: 'OUTP',
      handler: (p, args, query) => {
        if (query) return p.output ? '1' : '0';
        const a = args.toUpperCase();
        if (a === 'ON' || a === '1') p.output = true;
        else if (a === 'OFF' || a === '0') p.output = false;
        else if (!a) p.pushError(-109, 'Missing parameter');
        else p.pushError(-224, 'Illegal parameter value');
        return null;
      },
    },
    // The DP800 answers measurements in fixed point, settings in NR3 like Keysight: both are seen.
    {
      spec: 'MEASure[:SCALar]:VOLTage[:DC]?',
      name: 'MEAS:VOLT?',
      only: 'query',
      handler: (p) => p.measured().volts.toFixed(4),
    },
    {
      spec: 'MEASure[:SCALar]:CURRent[:DC]?',
      name: 'MEAS:CURR?',
      only: 'query',
      handler: (p) => p.measured().amps.toFixed(4),
    },
    {
      spec: 'SYSTem:ERRor[:NEXT]?',
      name: 'SYST:ERR?',
      only: 'query',
      handler: (p) => p.errors.shift() ?? '0,"No error"',
    },
  ] satisfies CommandSpec[]
).map((c) => ({ ...(c as CommandSpec), regex: headerRegex(c.spec) }));

/**
 * The SCPI tree form as a regular expression for a header: each keyword in its short or long
 * form (MEAS or MEASURE, never MEASU), any case, [] nodes optional, a leading ":" allowed.
 */
export function headerRegex(spec: string): RegExp {
  let re = '';
  const query = spec.endsWith('?');
  for (const m of spec.replace(/\?$/, '').matchAll(/(\*?[A-Z]+)([a-z]*)|\[|\]|:/g)) {
    const t = m[0];
    if (t === '[') re += '(?:';
    else if (t === ']') re += ')?';
    else if (t === ':') re += ':';
    else {
      const short = m[1]!.replace('*', '\\*');
      re += m[2] ? `(?:${short}${m[2].toUpperCase()}|${short})` : short;
    }
  }
  return new RegExp(`^:?${re}${query ? '\\?' : '\\??'}$`, 'i');
}

/** NR3, as Keysight answers settings: +1.20000000E+01. */
function nr3(v: number): string {
  const [mant, exp] = Math.abs(v).toExponential(8).toUpperCase().split('E');
  const e = Number(exp);
  return `${v < 0 ? '-' : '+'}${mant}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

export interface ScpiSimOptions {
  /** TCP port on 127.0.0.1 (default: any free one). */
  port?: number;
  /** Wait this long before each answer (a slow instrument). */
  delayMs?: number;
}

/** One stream to a host (a TCP connection or the pty), answering its lines in order. */
class Channel {
  private acc = '';
  private chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly sim: ScpiSim,
    private readonly write: (text: string) => void,
  ) {}
  push(chunk: Buffer): void {
    this.acc += chunk.toString('latin1');
    let i: number;
    while ((i = this.acc.indexOf('\n')) !== -1) {
      const line = this.acc.slice(0, i).replace(/\r$/, '');
      this.acc = this.acc.slice(i + 1);
      this.sim.received.push(line);
      // A real instrument works through its input in order, one command at a time.
      this.chain = this.chain.then(async () => {
        const delay = this.sim.nextDelay();
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        const answer = this.sim.psu.handle(line);
        if (answer !== null) this.write(`${answer}\n`);
      });
    }
  }
}

export class ScpiSim {
  readonly psu = new PowerSupply();
  /** Every line received, on every channel, in order. */
  readonly received: string[] = [];
  delayMs: number;
  /** TCP connections accepted so far. */
  connections = 0;
  private slow = { count: 0, ms: 0 };
  private readonly sockets = new Set<Socket>();
  private readonly serials = new Set<SerialPort>();
  private server: Server | null = null;
  port = 0;

  constructor(opts: ScpiSimOptions = {}) {
    this.delayMs = opts.delayMs ?? 0;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Lines received that ask `name` (any form): e.g. count('MEAS:VOLT?'). */
  count(pattern: RegExp): number {
    return this.received.filter((l) => pattern.test(l)).length;
  }

  async listen(port = 0): Promise<void> {
    const server = createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.setNoDelay(true);
      const ch = new Channel(this, (text) => {
        if (!socket.destroyed) socket.write(text);
      });
      socket.on('data', (c: Buffer) => ch.push(c));
      socket.on('error', () => {}); // the host may vanish mid-answer
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Serves the device end of a pty pair (test/helpers/pty.ts) as well. */
  async serveSerial(path: string): Promise<void> {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.serials.add(port);
    const ch = new Channel(this, (text) => {
      if (port.isOpen) port.write(text);
    });
    port.on('data', (c: Buffer) => ch.push(c));
    port.on('error', () => {});
  }

  /** The next `count` commands (on any channel) each take `ms` before they are answered. */
  slowNext(count: number, ms: number): void {
    this.slow = { count, ms };
  }

  /** How long the command being worked on takes. */
  nextDelay(): number {
    if (this.slow.count > 0) {
      this.slow.count--;
      return this.slow.ms;
    }
    return this.delayMs;
  }

  /** Cut every TCP connection (the server keeps listening: the host may reconnect). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Stop listening and cut everything; listen() again on the same port to come back. */
  async close(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    await Promise.all([...this.serials].map((p) => new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r()))));
    this.serials.clear();
  }
}

/** A simulated supply listening on 127.0.0.1. */
export async function startScpiSim(opts: ScpiSimOptions = {}): Promise<ScpiSim> {
  const sim = new ScpiSim(opts);
  await sim.listen(opts.port ?? 0);
  return sim;
}
