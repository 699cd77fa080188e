// The client benchmark runs each phase in a child process of its own (so each reports its own kernel
// maxRSS): the phase type, the child's side (childMain: RUNS runs on a gateway of its own, one report
// line) and the parent's (runChild: spawn, pass the log through, collect the report).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GatewayProcess, type GatewayProcessOptions } from '../../test/support/gateway-process';
import { RunScope } from './clients';
import type { FrameCost } from './frame-cost';
import { fixed, log, maxRssMb, RUNS, withTimeout } from './helpers';
import type { LatencyResult } from './latency';
import type { RttResult } from './round-trips';
import type { WindowResult } from './window';

/** How a child reports its results to the parent (one line on stdout). */
const RESULT_PREFIX = '@phase ';

export type PhaseResult = number | LatencyResult | RttResult | FrameCost | WindowResult[];

export interface Phase {
  name: string;
  /** Runs only when BENCH_PHASES names it. */
  optIn?: boolean;
  title: string;
  /** Per run. */
  timeoutMs: number;
  /** Gateway options on top of the bench's own (record 'count', no receipts). */
  gateway?: GatewayProcessOptions;
  run(scope: RunScope, gw: GatewayProcess, run: number): Promise<PhaseResult>;
}

export interface ChildReport {
  phase: string;
  results: PhaseResult[];
  errors: string[];
  maxRssMb: number;
  rssAtStartMb: number;
}

/** Child process: one phase, RUNS times, on a gateway of its own; reports one RESULT_PREFIX line. */
export async function childMain(p: Phase): Promise<number> {
  // The parent kills a stuck phase; this covers a parent that is gone.
  setTimeout(() => process.exit(2), p.timeoutMs * RUNS + 90_000).unref();
  const rssAtStartMb = process.memoryUsage.rss() / (1024 * 1024);
  const errors: string[] = [];
  const results: PhaseResult[] = [];
  let gw: GatewayProcess | null = null;
  try {
    gw = await GatewayProcess.start({ record: 'count', sampleMetrics: ['lat'], receipts: false, ...p.gateway });
    log(`\n[${p.name}] ${p.title}`);
    for (let i = 1; i <= RUNS; i++) {
      const scope = new RunScope(gw);
      try {
        results.push(await withTimeout(p.run(scope, gw, i), p.timeoutMs, `${p.name} run ${i}`));
      } catch (e) {
        const msg = `${p.name} run ${i} failed: ${(e as Error).message}`;
        log(`  ${msg}`);
        errors.push(msg);
      } finally {
        await scope.cleanup();
      }
    }
  } catch (e) {
    errors.push(`${p.name} failed: ${(e as Error).stack ?? String(e)}`);
  } finally {
    if (gw) {
      await withTimeout(gw.stop(), 15_000, 'stopping the gateway process').catch((e: unknown) =>
        log(`stopping the gateway failed: ${(e as Error).message}`),
      );
    }
  }
  const maxRss = maxRssMb();
  log(
    `  peak RSS of this phase's process (kernel maxRSS): ${fixed(maxRss, 1)} MB (${fixed(rssAtStartMb, 0)} MB at start)`,
  );
  const report: ChildReport = { phase: p.name, results, errors, maxRssMb: maxRss, rssAtStartMb };
  // Infinity (the RTT 0 ceiling) is not JSON: it travels as null.
  log(`${RESULT_PREFIX}${JSON.stringify(report)}`);
  return errors.length ? 1 : 0;
}

/**
 * Runs one phase in a child process (`script`: the bench's entry, which runs the phase named by
 * BENCH_CLIENT_PHASE), passing its log through; resolves with its report.
 */
export function runChild(p: Phase, script: string): Promise<ChildReport> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_CLIENT_PHASE: p.name },
    });
    let report: ChildReport | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX)) report = JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildReport;
      else log(line);
    });
    // Whatever goes wrong in the child, the bench goes on to the next phase.
    const timer = setTimeout(() => child.kill('SIGKILL'), p.timeoutMs * RUNS + 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const fallback: ChildReport = {
        phase: p.name,
        results: [],
        errors: [`${p.name}: the phase's process ended (${code ?? signal}) without a report`],
        maxRssMb: NaN,
        rssAtStartMb: NaN,
      };
      resolve(report ?? fallback);
    });
  });
}
