// The Modbus plugin's throughput, for bench/protocols.bench.ts: the shipped plugin run for real (a
// worker thread, through the Plugins manager) polling a local pymodbus TCP server back to back
// (interval 0) in blocks of 100 holding registers, each register decoded and recorded as a u16
// metric into a sink that counts. Each figure is the median of three runs of a fresh instance.
//
//   modbus_registers_per_s              registers read, decoded and recorded per second, with
//                                       four requests in flight (one poll: 4 blocks of 100)
//   modbus_registers_per_s_one_in_flight the same, one request at a time (the default, for
//                                       devices that answer one request at a time)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Plugins, type PluginSink } from '../src/main/plugins';
import { modbusConfig, startModbusServer } from '../test/protocols/modbus-server';

const ROOT = join(__dirname, '..');
const BLOCKS = 4;
const BLOCK = 100;
const FIRST = 100; // the server's holding registers 100–999 hold their own address
const WARMUP_MS = 1500;
const MEASURE_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`modbus bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** One fresh plugin instance polling back to back; registers recorded per second. */
async function once(port: number, inFlight: number, dataDir: string): Promise<number> {
  let recorded = 0;
  let wrong = 0;
  const sink: PluginSink = {
    now: () => Date.now(),
    send: () => ++recorded,
    event: () => recorded,
    sendBatch: (points) => {
      // Spot-check the decoding: register r holds r.
      const p = points[0];
      if (p && Number(p.metric.slice(p.metric.lastIndexOf('.') + 2)) !== p.value) wrong++;
      return (recorded += points.length);
    },
    sendVideoFrame: () => Promise.resolve({ sent: false }),
  };
  const plugins = new Plugins({
    dataDir,
    builtInDir: join(ROOT, 'plugins'),
    sink,
    registerCommand: () => () => {},
    now: () => Date.now(),
    changed: () => {},
    stateChanged: () => {},
  });
  try {
    const registers = Array.from({ length: BLOCKS * BLOCK }, (_, i) => ({
      metric: `r${FIRST + i}`,
      address: FIRST + i,
    }));
    plugins.add(
      join(ROOT, 'plugins', 'modbus'),
      'bench',
      modbusConfig(registers, [{ group: 'main', interval_s: 0 }], {
        host: '127.0.0.1',
        port,
        maxRegisters: BLOCK,
        inFlight,
      }),
    );
    const view = (): string => JSON.stringify(plugins.views()[0]);
    await until(() => recorded > 0, 30_000, `the first poll (${view()})`);
    await sleep(WARMUP_MS);
    const r0 = recorded;
    const t0 = performance.now();
    await sleep(MEASURE_MS);
    const rate = ((recorded - r0) * 1000) / (performance.now() - t0);
    if (wrong > 0) throw new Error(`modbus bench: ${wrong} batches decoded wrong (${view()})`);
    return rate;
  } finally {
    await plugins.stopAll();
  }
}

export async function measureModbus(): Promise<{ modbus_registers_per_s: number; [k: string]: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plexus-bench-modbus-'));
  const server = await startModbusServer({ quiet: true });
  try {
    const pipelined: number[] = [];
    const single: number[] = [];
    for (let i = 0; i < 3; i++) pipelined.push(await once(server.port, BLOCKS, dataDir));
    for (let i = 0; i < 3; i++) single.push(await once(server.port, 1, dataDir));
    return {
      modbus_registers_per_s: Math.round(median(pipelined)),
      modbus_registers_per_s_one_in_flight: Math.round(median(single)),
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
