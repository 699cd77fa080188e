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
import { modbusConfig, startModbusServer } from '../test/protocols/modbus-server';
import { checkedPlugins, eachRun, median, ratesAfterWarmup, ROOT, until } from './protocols-support';

const BLOCKS = 4;
const BLOCK = 100;
const FIRST = 100; // the server's holding registers 100–999 hold their own address
const WARMUP_MS = 1500;
const MEASURE_MS = 3000;

/** One fresh plugin instance polling back to back; registers recorded per second. */
async function once(port: number, inFlight: number, dataDir: string): Promise<number> {
  // Spot-check the decoding: register r holds r.
  const { plugins, recorded, wrong } = checkedPlugins(dataDir, (points) => {
    const p = points[0];
    return p && Number(p.metric.slice(p.metric.lastIndexOf('.') + 2)) !== p.value ? 1 : 0;
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
    await until(
      () => recorded() > 0,
      30_000,
      () => `the first poll (${view()})`,
    );
    const { registers: rate } = await ratesAfterWarmup(WARMUP_MS, MEASURE_MS, { registers: recorded });
    if (wrong() > 0) throw new Error(`modbus bench: ${wrong()} batches decoded wrong (${view()})`);
    return rate;
  } finally {
    await plugins.stopAll();
  }
}

export async function measureModbus(): Promise<{ modbus_registers_per_s: number; [k: string]: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plexus-bench-modbus-'));
  const server = await startModbusServer({ quiet: true });
  try {
    const pipelined = await eachRun(() => once(server.port, BLOCKS, dataDir));
    const single = await eachRun(() => once(server.port, 1, dataDir));
    return {
      modbus_registers_per_s: Math.round(median(pipelined)),
      modbus_registers_per_s_one_in_flight: Math.round(median(single)),
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
