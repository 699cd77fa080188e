// Choose a serial port from the host's list, or type a path (pseudo-terminals and some adapters
// are never listed). Offers binding by USB serial number when the port reports one.
import { useEffect, useState } from 'react';
import type { PortView } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { Field } from '../common/Field';
import { nameForPort, type SerialDraft } from './serialDraft';

const OTHER = '__other__';

interface Props {
  draft: SerialDraft;
  onChange: (patch: Partial<SerialDraft>) => void;
  problem: string | undefined;
}

export function PortPicker({ draft, onChange, problem }: Props): React.JSX.Element {
  const [ports, setPorts] = useState<PortView[] | null>(null);
  /** The technician chose to type a path rather than pick from the list. */
  const [manual, setManual] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getBench()
      .invoke('serial.listPorts', {})
      .then(
        (p) => {
          if (!live) return;
          setPorts(p);
          setListError(null);
        },
        (e: unknown) => {
          if (!live) return;
          setPorts((old) => old ?? []);
          setListError(errorText(e));
        },
      )
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [reloads]);
  const refresh = (): void => {
    setLoading(true);
    setReloads((n) => n + 1);
  };

  const listed = ports?.find((p) => p.path === draft.path) ?? null;
  const selected = listed && !manual ? listed.path : manual || draft.path || !ports?.length ? OTHER : '';

  function choose(value: string): void {
    if (value === OTHER) {
      setManual(true);
      return onChange({ serialNumber: '', useSerialNumber: false });
    }
    const p = ports?.find((x) => x.path === value);
    if (!p) return;
    setManual(false);
    onChange({
      path: p.path,
      serialNumber: p.serialNumber ?? '',
      useSerialNumber: !!p.serialNumber,
      ...(draft.name ? {} : { name: nameForPort(p) }),
    });
  }

  return (
    <div className="port-picker">
      <Field label="Port" problem={listed || selected !== OTHER ? problem : undefined}>
        {({ id, describedBy }) => (
          <div className="input-with-button">
            <select
              id={id}
              value={selected}
              onChange={(e) => choose(e.target.value)}
              aria-describedby={describedBy}
              data-testid="serial-port-select"
            >
              {selected === '' && <option value="">Choose a port…</option>}
              {ports?.map((p) => (
                <option key={p.path} value={p.path}>
                  {p.label}
                </option>
              ))}
              <option value={OTHER}>Other: type the path</option>
            </select>
            <button
              type="button"
              className="button"
              onClick={refresh}
              disabled={loading}
              data-testid="serial-ports-refresh"
            >
              {loading ? 'Looking…' : 'Refresh'}
            </button>
          </div>
        )}
      </Field>
      {ports && ports.length === 0 && (
        <p className="field-hint">No serial ports found. Plug the device in and press Refresh, or type its path.</p>
      )}
      <ErrorText error={listError} testId="serial-ports-error" />
      {selected === OTHER && (
        <Field label="Path" hint="e.g. /dev/ttyUSB0, /dev/ttyACM0 or COM3" problem={problem}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={draft.path}
              onChange={(e) => onChange({ path: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              spellCheck={false}
              data-testid="serial-path-input"
            />
          )}
        </Field>
      )}
      {listed?.serialNumber && !manual && (
        <label className="check-row">
          <input
            type="checkbox"
            checked={draft.useSerialNumber}
            onChange={(e) => onChange({ useSerialNumber: e.target.checked, serialNumber: listed.serialNumber ?? '' })}
            data-testid="serial-bind-serial-number"
          />
          Find this device by its USB serial number ({listed.serialNumber}) on whatever port it appears
        </label>
      )}
    </div>
  );
}
