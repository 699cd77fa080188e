// One poll cycle: each query of the table asked in turn, each answer turned into its metric's
// value. A bad answer or a timeout costs that one value, never the cycle: the other queries are
// still asked and recorded, and what went wrong is returned for the status line and the log.
import { parseNumber, type ScpiError } from './answers';
import type { QueryRow } from './config';
import { ScpiTimeoutError, type ScpiIO } from './connection';
import { drainErrors } from './error-queue';

/** Timeouts in a row after which the instrument counts as gone rather than slow. */
export const SILENT_AFTER_TIMEOUTS = 3;

export interface Failure {
  row: QueryRow;
  kind: 'garbage' | 'timeout';
  why: string;
}

export interface QueueError extends ScpiError {
  /** What was sent before the error was read: a query, or "poll" for the whole cycle. */
  after: string;
}

export interface CycleResult {
  /** metric → value, for every query that got a number. */
  values: Record<string, number>;
  failures: Failure[];
  /** Entries read from the error queue. */
  errors: QueueError[];
  /** The error queue could not be read to the end (why). */
  errorProblem?: string;
  /** The cycle stopped early: SILENT_AFTER_TIMEOUTS queries in a row timed out. */
  silent: boolean;
}

export type ErrorCheck = 'after each poll' | 'after each query' | 'off';

/** Asks every row once. Throws only when the connection is lost. */
export async function pollCycle(io: ScpiIO, rows: readonly QueryRow[], errorCheck: ErrorCheck): Promise<CycleResult> {
  const result: CycleResult = { values: {}, failures: [], errors: [], silent: false };
  let timeoutsInRow = 0;
  const readErrors = async (after: string): Promise<void> => {
    const drained = await drainErrors(io);
    result.errors.push(...drained.errors.map((e) => ({ ...e, after })));
    if (drained.problem) result.errorProblem = drained.problem;
  };
  for (const row of rows) {
    try {
      const answer = await io.query(row.query);
      timeoutsInRow = 0;
      const n = parseNumber(answer);
      if (n.ok) result.values[row.metric] = n.value;
      else result.failures.push({ row, kind: 'garbage', why: `${row.query} answered ${n.why}` });
      if (errorCheck === 'after each query') await readErrors(row.query);
    } catch (e) {
      if (!(e instanceof ScpiTimeoutError)) throw e;
      result.failures.push({ row, kind: 'timeout', why: e.message });
      if (++timeoutsInRow >= SILENT_AFTER_TIMEOUTS) {
        result.silent = true;
        return result;
      }
    }
  }
  if (errorCheck === 'after each poll') {
    try {
      await readErrors('poll');
    } catch (e) {
      if (!(e instanceof ScpiTimeoutError)) throw e; // a lost connection ends the cycle
      result.errorProblem = e.message;
    }
  }
  return result;
}
