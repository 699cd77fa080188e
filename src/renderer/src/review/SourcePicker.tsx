// Which sources the next run records: all of them (the default, and what one-click Start does), or
// only those ticked. A source added later is recorded by "All sources" but not by a list.
import { useMemo } from 'react';
import { setSources, useRecorderStore } from '../run/recorderStore';
import { useSourcesStore } from '../stores/sourcesStore';
import { configuredSources } from './sourceChoices';

export function SourcePicker(): React.JSX.Element {
  const sources = useRecorderStore((s) => s.sources);
  const plugins = useSourcesStore((s) => s.plugins);
  const network = useSourcesStore((s) => s.network);
  const serial = useSourcesStore((s) => s.serial);
  const cameras = useSourcesStore((s) => s.cameras);
  const webcams = useSourcesStore((s) => s.webcams);
  const choices = useMemo(
    () => configuredSources({ plugins, network, serial, cameras }),
    [plugins, network, serial, cameras],
  );
  const some = sources !== null;
  const toggle = (key: string, on: boolean): void => {
    const now = sources ?? [];
    setSources(on ? [...now, key] : now.filter((k) => k !== key));
  };
  return (
    <fieldset className="run-sources">
      <legend>Sources to record</legend>
      <label className="check-row">
        <input
          type="radio"
          name="run-sources"
          checked={!some}
          onChange={() => setSources(null)}
          data-testid="run-sources-all"
        />
        All sources
      </label>
      <label className="check-row">
        <input
          type="radio"
          name="run-sources"
          checked={some}
          onChange={() => setSources(choices.filter((c) => c.on).map((c) => c.key))}
          disabled={choices.length === 0}
          data-testid="run-sources-some"
        />
        Only these:
      </label>
      {some && (
        <ul className="run-source-list">
          {choices.map((c) => (
            <li key={c.key}>
              <label className="check-row">
                <input
                  type="checkbox"
                  checked={sources.includes(c.key)}
                  onChange={(e) => toggle(c.key, e.target.checked)}
                  data-testid={`run-source-${c.key}`}
                />
                <span>
                  {c.name} <span className="muted">({c.on ? c.kind : `${c.kind}, switched off`})</span>
                </span>
              </label>
            </li>
          ))}
          {webcams
            .filter((w) => w.streaming)
            .map((w) => (
              <li key={`webcam:${w.cameraId}`} className="muted">
                {w.label ?? w.cameraId} (webcam in a window: cannot be chosen here)
              </li>
            ))}
        </ul>
      )}
    </fieldset>
  );
}
