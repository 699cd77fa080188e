// The next run's optional details, folded away under the name so Start stays one click: operator,
// description, fields and the sources to record. Folded, one line says what is set, so nobody
// starts a run with yesterday's operator without seeing it.
import { useMemo } from 'react';
import { setDetails, useRecorderStore } from '../run/recorderStore';
import { useSourcesStore } from '../stores/sourcesStore';
import { DetailsFields } from './DetailsFields';
import { fieldsOf } from './detailsDraft';
import { configuredSources } from './sourceChoices';
import { SourcePicker } from './SourcePicker';

function useSummary(): string {
  const details = useRecorderStore((s) => s.details);
  const sources = useRecorderStore((s) => s.sources);
  const plugins = useSourcesStore((s) => s.plugins);
  const network = useSourcesStore((s) => s.network);
  const serial = useSourcesStore((s) => s.serial);
  const cameras = useSourcesStore((s) => s.cameras);
  return useMemo(() => {
    const parts: string[] = [];
    if (details.operator.trim()) parts.push(`operator ${details.operator.trim()}`);
    const n = Object.keys(fieldsOf(details.fields)).length;
    if (n > 0) parts.push(`${n} ${n === 1 ? 'field' : 'fields'}`);
    if (details.description.trim()) parts.push('a description');
    if (sources) {
      const names = configuredSources({ plugins, network, serial, cameras })
        .filter((c) => sources.includes(c.key))
        .map((c) => c.name);
      parts.push(`records only ${names.length ? names.join(', ') : 'nothing'}`);
    }
    return parts.join(' · ');
  }, [details, sources, plugins, network, serial, cameras]);
}

export function StartDetails(): React.JSX.Element {
  const details = useRecorderStore((s) => s.details);
  const summary = useSummary();
  return (
    <details className="run-start-details">
      <summary data-testid="run-details-toggle">
        Details <span className="muted">{summary || '(optional: operator, fields, sources)'}</span>
      </summary>
      <div className="run-start-details-body">
        <DetailsFields draft={details} onChange={setDetails} prefix="run-start" />
        <SourcePicker />
      </div>
    </details>
  );
}
