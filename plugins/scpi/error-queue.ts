// The instrument's error queue. SCPI instruments do not answer a bad command with an error: they
// queue it ("-113,Undefined header") and carry on. SYST:ERR? takes the oldest entry off; 0 means
// the queue is empty. So errors are only seen by asking, and asking until 0 empties the queue.
import { parseError, type ScpiError } from './answers';
import type { ScpiIO } from './connection';

/** Standard SCPI queues hold 10–30 entries; past this, the instrument is not emptying it. */
const MAX_READS = 32;

export interface DrainResult {
  errors: ScpiError[];
  /** Why the queue could not be read to the end (an answer not in the SYST:ERR? form), if so. */
  problem?: string;
}

/** Reads SYST:ERR? until `0,"No error"`. Timeouts and lost connections are the caller's to see. */
export async function drainErrors(io: ScpiIO): Promise<DrainResult> {
  const errors: ScpiError[] = [];
  for (let i = 0; i < MAX_READS; i++) {
    const answer = await io.query('SYST:ERR?');
    const e = parseError(answer);
    if (!e) return { errors, problem: `SYST:ERR? answered ${JSON.stringify(answer.slice(0, 40))}, not an error entry` };
    if (e.code === 0) return { errors };
    errors.push(e);
  }
  return { errors, problem: `the error queue still was not empty after ${MAX_READS} reads` };
}
