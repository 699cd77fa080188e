// What is wrong right now (disk full, points dropped or refused, a damaged buffer set aside), as
// the host words it; replaced by every state snapshot and by ticks that carry a change.
import { create } from 'zustand';
import type { ProblemView } from '../../../shared/contract';

export interface ProblemsStore {
  /** Current problems, errors first. */
  problems: ProblemView[];
}

export const useProblemsStore = create<ProblemsStore>(() => ({ problems: [] }));

export function setProblems(problems: ProblemView[]): void {
  const rank = (p: ProblemView): number => (p.severity === 'error' ? 0 : 1);
  useProblemsStore.setState({ problems: [...problems].sort((a, b) => rank(a) - rank(b) || a.since - b.since) });
}
