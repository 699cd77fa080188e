// The review of a past run, over the whole window: on the left what the run is (details, metrics
// to tick, its markers and events), on the right its chart, or two runs compared. Opened from the
// past runs list or the recorder; the run's metrics, markers and events come from `run.open`.
import { useEffect, useMemo, useState } from 'react';
import '../styles/review.css';
import type { RunDetail, RunMomentView } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { Modal } from '../common/Modal';
import { useRunsStore } from '../stores/runsStore';
import { CompareView } from './CompareView';
import { MetricPicker } from './MetricPicker';
import { MomentsList } from './MomentsList';
import { fullRange, momentEvents, runLines } from './reviewLines';
import { rangeAround } from './reviewRange';
import { closeReview, useReviewStore } from './reviewStore';
import { ReviewChartView, type ViewRequest } from './ReviewChartView';
import { RunSummary } from './RunSummary';

/** What the comparison's choices take above its chart (two rows of selects). */
const COMPARE_CHOICES_PX = 110;

/** The chart's height from the window's: what is left under the dialog's head and the tools. */
function useChartHeight(): number {
  const pick = (): number => Math.max(200, Math.min(560, window.innerHeight - 300));
  const [h, setH] = useState(pick);
  useEffect(() => {
    const on = (): void => setH(pick());
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return h;
}

function ReviewOf({ detail }: { detail: RunDetail }): React.JSX.Element {
  const run = useRunsStore((s) => s.runs.find((r) => r.id === detail.runId) ?? null);
  const name = run?.name ?? 'this run';
  const [chosen, setChosen] = useState<string[]>(() => detail.metrics.slice(0, 1).map((m) => m.metric));
  const [mode, setMode] = useState<'run' | 'compare'>('run');
  const [focus, setFocus] = useState<ViewRequest | null>(null);
  const height = useChartHeight();
  const full = useMemo(() => fullRange(detail), [detail]);
  const lines = useMemo(() => runLines(detail, chosen), [detail, chosen]);
  const moments = useMemo(() => momentEvents(detail.moments, detail.runId), [detail]);

  const pick = (m: RunMomentView): void => {
    setMode('run');
    setFocus((f) => ({ range: rangeAround(m.t, full), n: (f?.n ?? 0) + 1 }));
  };

  return (
    <div className="review">
      <aside className="review-side">
        {run && <RunSummary run={run} />}
        <section className="review-section" aria-labelledby="review-metrics-heading">
          <h3 id="review-metrics-heading" className="review-heading">
            <span className="panel-title">Metrics</span> <span className="muted">(tick to plot)</span>
          </h3>
          <MetricPicker metrics={detail.metrics} chosen={chosen} onChange={setChosen} />
        </section>
        <MomentsList moments={detail.moments} cut={detail.momentsCut} startedAt={detail.startedAt} onPick={pick} />
      </aside>
      <section className="review-main" aria-label="Chart">
        <div className="button-row review-modes" role="group" aria-label="What the chart shows">
          <button
            type="button"
            className={mode === 'run' ? 'button button-small button-primary' : 'button button-small'}
            aria-pressed={mode === 'run'}
            onClick={() => setMode('run')}
            data-testid="review-mode-run"
          >
            This run
          </button>
          <button
            type="button"
            className={mode === 'compare' ? 'button button-small button-primary' : 'button button-small'}
            aria-pressed={mode === 'compare'}
            onClick={() => setMode('compare')}
            data-testid="review-mode-compare"
          >
            Compare with…
          </button>
        </div>
        {mode === 'compare' ? (
          <CompareView
            detail={detail}
            name={name}
            preferred={chosen[0]}
            height={Math.max(160, height - COMPARE_CHOICES_PX)}
          />
        ) : lines.length === 0 ? (
          <p className="empty">Tick a metric on the left to plot it.</p>
        ) : (
          <ReviewChartView
            lines={lines}
            relative={false}
            full={full}
            moments={moments}
            focus={focus}
            height={height}
            testId="review-chart"
            label={`Plot of ${chosen.join(', ')} over ${name}`}
          />
        )}
      </section>
    </div>
  );
}

function ReviewBody({ runId }: { runId: string }): React.JSX.Element {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getBench()
      .invoke('run.open', { runId })
      .then((d) => live && setDetail(d))
      .catch((e: unknown) => live && setError(`Could not open this run: ${errorText(e)}`));
    return () => {
      live = false;
    };
  }, [runId]);
  return (
    <div className="review-body" data-testid="review-body">
      {detail ? <ReviewOf detail={detail} /> : !error && <p className="muted review-loading">Opening the run…</p>}
      <ErrorText error={error} testId="review-error" />
    </div>
  );
}

export function RunReview(): React.JSX.Element {
  const runId = useReviewStore((s) => s.runId);
  const name = useRunsStore((s) => s.runs.find((r) => r.id === runId)?.name);
  return (
    <Modal open={runId !== null} onClose={closeReview} title={name ? `Review: ${name}` : 'Review'} testId="run-review">
      {runId && <ReviewBody key={runId} runId={runId} />}
    </Modal>
  );
}
