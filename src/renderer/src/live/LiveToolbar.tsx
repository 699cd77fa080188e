// Filter (focused by "/"), tiles|table switch, and how many metrics are shown — with the limit
// stated when the cap hides some.
import { useEffect, useRef } from 'react';
import { count } from '../common/format';
import { usePreviewStore, type PreviewView } from '../stores/previewStore';
import { useUiStore } from '../stores/uiStore';
import { MAX_SHOWN, type ShownNames } from './useShownNames';

function CountText({ shown }: { shown: ShownNames }): React.JSX.Element {
  const filter = usePreviewStore((s) => s.filter);
  let text: string;
  let limited = false;
  if (shown.matching > MAX_SHOWN) {
    limited = true;
    text = `showing ${count(MAX_SHOWN)} of ${count(shown.matching)} metrics — refine the filter`;
  } else if (filter.trim()) text = `${count(shown.matching)} of ${count(shown.total)} metrics`;
  else text = `${count(shown.total)} metric${shown.total === 1 ? '' : 's'}`;
  return (
    <span
      className={limited ? 'metric-count warn-text' : 'metric-count muted'}
      data-testid="metric-count"
      role="status"
    >
      {text}
    </span>
  );
}

export function LiveToolbar({ shown }: { shown: ShownNames }): React.JSX.Element {
  const filter = usePreviewStore((s) => s.filter);
  const view = usePreviewStore((s) => s.view);
  const focusRequest = useUiStore((s) => s.filterFocusRequest);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusRequest > 0) inputRef.current?.select();
  }, [focusRequest]);
  const setView = (v: PreviewView): void => usePreviewStore.setState({ view: v });
  return (
    <div className="live-toolbar">
      <h2 className="panel-title">Live</h2>
      <input
        ref={inputRef}
        type="search"
        className="filter"
        placeholder="Filter metrics  ( / )"
        aria-label="Filter metrics by name"
        aria-keyshortcuts="/"
        value={filter}
        onChange={(e) => usePreviewStore.setState({ filter: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            usePreviewStore.setState({ filter: '' });
            e.currentTarget.blur();
          }
        }}
        spellCheck={false}
        data-testid="metric-filter"
      />
      <div className="segmented" role="group" aria-label="View">
        {(['tiles', 'table'] as const).map((v) => (
          <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)} data-testid={`view-${v}`}>
            {v === 'tiles' ? 'Tiles' : 'Table'}
          </button>
        ))}
      </div>
      <CountText shown={shown} />
    </div>
  );
}
