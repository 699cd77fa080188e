// The SCPI plugin's throughput, for bench/protocols.bench.ts: the shipped plugin run for real (a
// worker thread, through the Plugins manager) polling the simulated bench supply on a loopback
// TCP port back to back (interval 0, no artificial delay), two queries a cycle (MEAS:VOLT?,
// MEAS:CURR?) and the SYST:ERR? check after each cycle, into a sink that counts. SCPI allows one
// query in flight, so this is round trips through the worker, the socket and the instrument.
// Each figure is the median of three runs of a fresh instance.
//
//   scpi_queries_per_s      polled queries answered and recorded per second
//   scpi_round_trips_per_s  everything the supply answered per second, SYST:ERR? included
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScpiSim, type ScpiSim } from '../test/protocols/scpi-sim';
import { checkedPlugins, eachRun, median, ratesAfterWarmup, ROOT, until } from './protocols-support';

const WARMUP_MS = 1000;
const MEASURE_MS = 3000;

/** One fresh plugin instance polling back to back: queries and round trips per second. */
async function once(sim: ScpiSim, dataDir: string): Promise<{ queries: number; trips: number }> {
  // Spot-check: 12 V over the 10 Ω load, 1.2 A. A swapped answer would show here.
  const { plugins, recorded, wrong } = checkedPlugins(
    dataDir,
    (points) => points.filter((p) => p.value !== (p.metric.endsWith('.volts') ? 12 : 1.2)).length,
  );
  try {
    plugins.add(join(ROOT, 'plugins', 'scpi'), 'psu', {
      host: '127.0.0.1',
      port: sim.port,
      intervalS: 0,
      queries: [
        { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
        { query: 'MEAS:CURR?', metric: 'amps', unit: 'A' },
      ],
    });
    await until(() => recorded() > 0, 30_000, 'the first readings');
    const rates = await ratesAfterWarmup(WARMUP_MS, MEASURE_MS, {
      queries: recorded,
      trips: () => sim.received.length,
    });
    if (wrong() > 0) throw new Error(`scpi bench: ${wrong()} values were not the supply's (answers out of step)`);
    return rates;
  } finally {
    await plugins.stopAll();
    sim.received.length = 0; // the list of every line would otherwise grow run after run
  }
}

export async function measureScpi(): Promise<{ scpi_queries_per_s: number; [k: string]: number }> {
  const sim = await startScpiSim();
  sim.psu.volts = 12;
  sim.psu.amps = 2;
  sim.psu.output = true;
  const dataDir = mkdtempSync(join(tmpdir(), 'plexus-bench-scpi-'));
  try {
    const runs = await eachRun(() => once(sim, dataDir));
    return {
      scpi_queries_per_s: Math.round(median(runs.map((r) => r.queries))),
      scpi_round_trips_per_s: Math.round(median(runs.map((r) => r.trips))),
    };
  } finally {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
