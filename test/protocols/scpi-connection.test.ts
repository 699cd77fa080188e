// The SCPI plugin's connection and poll cycle on a real loopback socket to the simulated supply,
// without a worker: one request in flight, transactions, timeouts and finding the place again,
// a lost link, and what a poll cycle returns.
import { afterEach, describe, expect, it } from 'vitest';
import { LineSplitter } from '../../plugins/scpi/lines';
import { ConnectionLostError, ScpiConnection, ScpiTimeoutError } from '../../plugins/scpi/connection';
import { drainErrors } from '../../plugins/scpi/error-queue';
import { pollCycle } from '../../plugins/scpi/poller';
import { openLink, type Link } from '../../plugins/scpi/transport';
import { SIM_IDN, startScpiSim, type ScpiSim } from './scpi-sim';

const open: Array<{ link: Link; sim: ScpiSim }> = [];
afterEach(async () => {
  for (const { link, sim } of open.splice(0)) {
    await link.close();
    await sim.close();
  }
});

async function connect(timeoutMs = 1000): Promise<{ sim: ScpiSim; conn: ScpiConnection; closed: string[] }> {
  const sim = await startScpiSim();
  const closed: string[] = [];
  let conn: ScpiConnection | null = null;
  const splitter = new LineSplitter(
    (l) => conn?.receive(l),
    () => {},
  );
  const link = await openLink({ kind: 'tcp', host: '127.0.0.1', port: sim.port }, 5000, {
    data: (c) => splitter.push(c),
    closed: (why) => {
      closed.push(why);
      conn?.lose(why);
    },
  });
  conn = new ScpiConnection((t) => link.write(t), { name: 'the supply', timeoutMs });
  open.push({ link, sim });
  return { sim, conn, closed };
}

describe('ScpiConnection', () => {
  it('one request in flight: many callers at once each get their own answer', async () => {
    const { sim, conn } = await connect();
    sim.psu.volts = 12;
    sim.psu.amps = 2;
    sim.psu.output = true;
    const asks = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'VOLT?' : i % 3 === 1 ? 'MEAS:CURR?' : '*IDN?'));
    const answers = await Promise.all(asks.map((q) => conn.query(q)));
    answers.forEach((a, i) =>
      expect(a).toBe({ 'VOLT?': '+1.20000000E+01', 'MEAS:CURR?': '1.2000', '*IDN?': SIM_IDN }[asks[i]!]),
    );
    expect(sim.received).toEqual(asks); // sent in the callers' order, nothing else in between
  });

  it('a transaction keeps the line: nothing else is sent between its requests', async () => {
    const { sim, conn } = await connect();
    const t = conn.transaction(async (io) => {
      await io.write('VOLTS 1'); // an error…
      await new Promise((r) => setTimeout(r, 50)); // …and time for others to try to get in
      return drainErrors(io); // …read by this transaction, not by anyone else
    });
    const other = conn.query('SYST:ERR?');
    expect(await t).toEqual({ errors: [{ code: -113, message: 'Undefined header' }] });
    expect(await other).toBe('0,"No error"');
    expect(sim.received).toEqual(['VOLTS 1', 'SYST:ERR?', 'SYST:ERR?', 'SYST:ERR?']);
  });

  it('a late answer is thrown away: *IDN? finds the place again before the next query', async () => {
    const { sim, conn } = await connect(1000);
    sim.psu.volts = 7;
    conn.setSync({ query: '*IDN?', answer: SIM_IDN });
    sim.slowNext(1, 1500); // VOLT? is answered after 1.5 s, 0.5 s after its timeout
    await expect(conn.query('VOLT?')).rejects.toThrow(
      new ScpiTimeoutError('the supply did not answer VOLT? within 1 s'),
    );
    expect(conn.timeoutsInRow).toBe(1);
    // The late "+7…" arrives while CURR? waits its turn behind *IDN?: CURR? gets its own answer.
    expect(await conn.query('CURR?')).toBe('+1.00000000E+00');
    expect(sim.received).toEqual(['VOLT?', '*IDN?', 'CURR?']);
    expect(conn.timeoutsInRow).toBe(0);
  });

  it('without a known answer to find its place by, a timeout ends the connection', async () => {
    const { sim, conn } = await connect(300);
    sim.slowNext(1, 1000);
    await expect(conn.query('VOLT?')).rejects.toThrow('did not answer VOLT? within 0.3 s');
    await expect(conn.query('CURR?')).rejects.toThrow(ConnectionLostError);
    expect(conn.lostReason).toBe(
      'the supply did not answer in time, and answers cannot be matched to questions any more',
    );
  });

  it('a dropped link fails the waiting query at once, and every later one', async () => {
    const { sim, conn, closed } = await connect(10_000);
    sim.delayMs = 5000;
    const waiting = conn.query('MEAS:VOLT?');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    sim.dropConnections();
    await expect(waiting).rejects.toThrow(new ConnectionLostError(`127.0.0.1:${sim.port} closed the connection`));
    expect(Date.now() - t0).toBeLessThan(5000); // not the timeout, not the slow answer
    expect(closed).toEqual([`127.0.0.1:${sim.port} closed the connection`]);
    await expect(conn.query('*IDN?')).rejects.toThrow(ConnectionLostError);
  });
});

describe('pollCycle', () => {
  const rows = [
    { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
    { query: 'MEAS:CURR?', metric: 'amps', unit: 'A' },
  ];

  it('values for good answers, a failure for a garbage one, errors read after each query', async () => {
    const { sim, conn } = await connect();
    sim.psu.volts = 3;
    sim.psu.output = true;
    sim.psu.overrides.set('MEAS:CURR?', 'ERR');
    const r = await conn.transaction((io) =>
      pollCycle(io, [...rows, { query: 'MEAS:POW?', metric: 'watts', unit: 'W' }], 'after each query'),
    );
    expect(r.values).toEqual({ volts: 3 });
    expect(r.failures.map((f) => [f.row.metric, f.kind, f.why])).toEqual([
      ['amps', 'garbage', 'MEAS:CURR? answered "ERR" is not a number'],
      ['watts', 'timeout', 'the supply did not answer MEAS:POW? within 1 s'],
    ]);
    expect(r.silent).toBe(false);
    // MEAS:POW? timed out: without a sync query the connection cannot go on; the error check
    // after it is not sent.
    expect(sim.received).toEqual(['MEAS:VOLT?', 'SYST:ERR?', 'MEAS:CURR?', 'SYST:ERR?', 'MEAS:POW?']);
  });

  it('after each poll: one error check for the cycle; three timeouts in a row end the cycle early', async () => {
    const { sim, conn } = await connect(200);
    conn.setSync({ query: '*IDN?', answer: SIM_IDN });
    sim.psu.pushError(-222, 'Data out of range');
    const ok = await conn.transaction((io) => pollCycle(io, rows, 'after each poll'));
    expect(ok).toMatchObject({ values: { volts: 0, amps: 0 }, failures: [], silent: false });
    expect(ok.errors).toEqual([{ code: -222, message: 'Data out of range', after: 'poll' }]);

    sim.delayMs = 2000;
    const five = [1, 2, 3, 4, 5].map((i) => ({ query: 'MEAS:VOLT?', metric: `v${i}`, unit: 'V' }));
    const silent = await conn.transaction((io) => pollCycle(io, five, 'after each poll'));
    expect(silent.silent).toBe(true);
    expect(silent.failures).toHaveLength(3);
    expect(conn.timeoutsInRow).toBeGreaterThanOrEqual(3);
  });
});
