// Two runs on one chart: this run and one chosen from the past runs, one metric both hold, with
// time as seconds since each run's start, or since a chosen marker of each run (both markers at
// 0 s, to compare what followed the same step of a test).
import { useEffect, useMemo, useState } from 'react';
import type { RunDetail, RunView } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { dateTime, duration } from '../common/format';
import { useRunsStore } from '../stores/runsStore';
import { decimalsFor, fullRange, momentEvents, momentText } from './reviewLines';
import type { ReviewLine } from './reviewChart';
import type { Range } from './reviewRange';
import { ReviewChartView } from './ReviewChartView';

interface Props {
  detail: RunDetail;
  name: string;
  /** The metric the review plots first, offered first here too. */
  preferred: string | undefined;
  height: number;
}

function markersOf(d: RunDetail) {
  return d.moments.filter((m) => m.kind === 'marker');
}

function MarkerSelect(p: {
  detail: RunDetail;
  value: number;
  onChange: (i: number) => void;
  testId: string;
  label: string;
}) {
  const markers = markersOf(p.detail);
  return (
    <label className="field compact">
      <span>{p.label}</span>
      <select value={p.value} onChange={(e) => p.onChange(Number(e.target.value))} data-testid={p.testId}>
        {markers.map((m, i) => (
          <option key={i} value={i}>
            {duration(m.t - p.detail.startedAt)} ⚑ {momentText(m) || 'marker'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CompareView({ detail, name, preferred, height }: Props): React.JSX.Element {
  const runs = useRunsStore((s) => s.runs);
  const others = useMemo(
    () =>
      runs
        .filter((r): r is RunView & { endedAt: number } => r.id !== detail.runId && r.endedAt !== null)
        .sort((a, b) => b.startedAt - a.startedAt),
    [runs, detail.runId],
  );
  const [otherId, setOtherId] = useState('');
  const [other, setOther] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [metric, setMetric] = useState('');
  const [atMarker, setAtMarker] = useState(false);
  const [markerA, setMarkerA] = useState(0);
  const [markerB, setMarkerB] = useState(0);

  useEffect(() => {
    if (!otherId) return;
    let live = true;
    getBench()
      .invoke('run.open', { runId: otherId })
      .then((d) => live && setOther(d))
      .catch((e: unknown) => live && setError(`Could not open that run: ${errorText(e)}`));
    return () => {
      live = false;
    };
  }, [otherId]);

  const shared = useMemo(
    () => (other ? detail.metrics.filter((m) => other.metrics.some((o) => o.metric === m.metric)) : []),
    [detail, other],
  );
  const chosen = shared.find((m) => m.metric === metric) ?? shared.find((m) => m.metric === preferred) ?? shared[0];
  const canAlign = !!other && markersOf(detail).length > 0 && markersOf(other).length > 0;
  const aligned = atMarker && canAlign;
  const otherName = runs.find((r) => r.id === otherId)?.name ?? 'the other run';

  const plan = useMemo(() => {
    if (!other || !chosen) return null;
    const offA = aligned ? (markersOf(detail)[markerA]?.t ?? detail.startedAt) : detail.startedAt;
    const offB = aligned ? (markersOf(other)[markerB]?.t ?? other.startedAt) : other.startedAt;
    const a = fullRange(detail, offA);
    const b = fullRange(other, offB);
    const full: Range = [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
    const line = (d: RunDetail, label: string, offset: number): ReviewLine => ({
      runId: d.runId,
      metric: chosen.metric,
      unit: chosen.unit,
      label,
      offset,
      decimals: decimalsFor(chosen),
    });
    return {
      lines: [line(detail, `${name} (this run)`, offA), line(other, otherName, offB)],
      full,
      moments: [
        ...momentEvents(detail.moments, detail.runId, offA, 'marker'),
        ...momentEvents(other.moments, other.runId, offB, 'marker'),
      ].sort((x, y) => x.t - y.t),
    };
  }, [detail, other, chosen, aligned, markerA, markerB, name, otherName]);

  return (
    <div className="review-compare">
      <div className="review-compare-choices">
        <label className="field compact">
          <span>Compare with</span>
          <select
            value={otherId}
            onChange={(e) => {
              setOtherId(e.target.value);
              setOther(null);
              setError(null);
              setMarkerB(0);
            }}
            data-testid="review-compare-run"
          >
            <option value="">choose a past run…</option>
            {others.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({dateTime(r.startedAt)})
              </option>
            ))}
          </select>
        </label>
        {other && shared.length > 0 && (
          <label className="field compact">
            <span>Metric</span>
            <select
              value={chosen?.metric ?? ''}
              onChange={(e) => setMetric(e.target.value)}
              data-testid="review-compare-metric"
            >
              {shared.map((m) => (
                <option key={m.metric} value={m.metric}>
                  {m.metric}
                  {m.unit ? ` (${m.unit})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {other && (
          <fieldset className="review-align">
            <legend>Line up</legend>
            <label className="check-row">
              <input
                type="radio"
                name="review-align"
                checked={!aligned}
                onChange={() => setAtMarker(false)}
                data-testid="review-align-start"
              />
              at the start of each run
            </label>
            <label className="check-row" title={canAlign ? undefined : 'Both runs need a marker for this'}>
              <input
                type="radio"
                name="review-align"
                checked={aligned}
                disabled={!canAlign}
                onChange={() => setAtMarker(true)}
                data-testid="review-align-marker"
              />
              at a marker of each run{!canAlign && ' (both runs need a marker)'}
            </label>
          </fieldset>
        )}
        {aligned && other && (
          <>
            <MarkerSelect
              detail={detail}
              value={markerA}
              onChange={setMarkerA}
              testId="review-align-marker-a"
              label="This run's marker"
            />
            <MarkerSelect
              detail={other}
              value={markerB}
              onChange={setMarkerB}
              testId="review-align-marker-b"
              label={`${otherName}'s marker`}
            />
          </>
        )}
      </div>
      <ErrorText error={error} testId="review-compare-error" />
      {!otherId && others.length === 0 && <p className="empty">There is no other finished run to compare with.</p>}
      {!otherId && others.length > 0 && <p className="empty">Choose a run to lay over this one.</p>}
      {otherId && !other && !error && <p className="muted">Opening {otherName}…</p>}
      {other && shared.length === 0 && (
        <p className="empty" data-testid="review-compare-none">
          The two runs have no metric in common: choose another run.
        </p>
      )}
      {plan && (
        <ReviewChartView
          lines={plan.lines}
          relative
          full={plan.full}
          moments={plan.moments}
          focus={null}
          height={height}
          testId="review-compare-chart"
          label={`${chosen?.metric} in ${name} and ${otherName}, in seconds since ${aligned ? 'the chosen markers' : 'each start'}`}
        />
      )}
    </div>
  );
}
