// Add or edit a serial/USB device: port, baud rate, line format, name and metric prefix, and the
// unit and label of each field. The name is free text; the metric prefix derived from it (or the
// one typed) is shown before saving, by the same rule the host applies (serialPrefix).
import { useState } from 'react';
import type { SerialSourceView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { FormFooter } from '../common/FormFooter';
import { Field } from '../common/Field';
import { useAction } from '../common/useAction';
import { PortPicker } from './PortPicker';
import {
  BAUD_RATES,
  PARSERS,
  configFromDraft,
  draftFromConfig,
  draftPrefix,
  draftProblems,
  exampleMetric,
  type SerialDraft,
} from './serialDraft';
import { SerialFieldsForm } from './SerialFieldsForm';

interface Props {
  /** The device being edited, or null to add one. */
  editing: SerialSourceView | null;
  onDone: () => void;
}

export function SerialForm({ editing, onDone }: Props): React.JSX.Element {
  const [draft, setDraft] = useState<SerialDraft>(() => draftFromConfig(editing?.config ?? null));
  const [tried, setTried] = useState(false);
  const problems = draftProblems(draft);
  const invalid = Object.keys(problems).length > 0;
  const patch = (p: Partial<SerialDraft>): void => setDraft((d) => ({ ...d, ...p }));
  const submit = useAction(async () => {
    const config = configFromDraft(draft);
    if (editing) await getBench().invoke('serial.update', { id: editing.id, config });
    else await getBench().invoke('serial.add', { config });
    onDone();
  });
  const show = (p: string | undefined): string | undefined => (tried ? p : undefined);

  return (
    <form
      className="modal-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!invalid) void submit.run();
      }}
    >
      <div className="modal-body source-form">
        <PortPicker draft={draft} onChange={patch} problem={show(problems.path)} />
        <div className="field-row">
          <Field label="Baud rate" problem={show(problems.baudRate)} hint="Ignored by USB-native and virtual ports.">
            {({ id, describedBy, invalid: bad }) => (
              <>
                <input
                  id={id}
                  inputMode="numeric"
                  list="baud-rates"
                  value={draft.baudRate}
                  onChange={(e) => patch({ baudRate: e.target.value.replace(/[^0-9]/g, '') })}
                  aria-describedby={describedBy}
                  aria-invalid={bad}
                  data-testid="serial-baud"
                />
                <datalist id="baud-rates">
                  {BAUD_RATES.map((b) => (
                    <option key={b} value={b} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Line format">
            {({ id }) => (
              <select
                id={id}
                value={draft.parser}
                onChange={(e) => patch({ parser: e.target.value as SerialDraft['parser'] })}
                data-testid="serial-parser"
              >
                {PARSERS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div className="field-row">
          <Field
            label="Name"
            problem={show(problems.name)}
            hint={
              draft.name.trim() && !draft.noPrefix && !draft.prefix.trim() ? (
                <>
                  How this device is listed here. Its metrics start with{' '}
                  <code data-testid="serial-prefix-preview">{draftPrefix(draft)}</code>
                </>
              ) : (
                'How this device is listed here, in any words.'
              )
            }
          >
            {({ id, describedBy, invalid: bad }) => (
              <input
                id={id}
                value={draft.name}
                onChange={(e) => patch({ name: e.target.value })}
                aria-describedby={describedBy}
                aria-invalid={bad}
                spellCheck={false}
                data-testid="serial-name"
              />
            )}
          </Field>
          <div className="field">
            <Field
              label="Metric prefix"
              problem={problems.prefix}
              hint={`A field "temp" becomes ${exampleMetric(draft)}`}
            >
              {({ id, describedBy, invalid: bad }) => (
                <input
                  id={id}
                  value={draft.noPrefix ? '' : draft.prefix}
                  placeholder={draft.noPrefix ? 'none' : (draftPrefix(draft) ?? 'from the device name')}
                  disabled={draft.noPrefix}
                  onChange={(e) => patch({ prefix: e.target.value })}
                  aria-describedby={describedBy}
                  aria-invalid={bad}
                  spellCheck={false}
                  data-testid="serial-prefix"
                />
              )}
            </Field>
            <label className="check-row">
              <input
                type="checkbox"
                checked={draft.noPrefix}
                onChange={(e) => patch({ noPrefix: e.target.checked })}
                data-testid="serial-no-prefix"
              />
              No prefix (bare field names)
            </label>
          </div>
        </div>
        <SerialFieldsForm
          draft={draft}
          onChange={(fields) => patch({ fields })}
          problem={tried || problems.fields?.problem.includes('twice') ? problems.fields : undefined}
        />
        <details className="advanced">
          <summary>Line settings (data bits, parity, stop bits)</summary>
          <div className="field-row">
            <Field label="Data bits">
              {({ id }) => (
                <select
                  id={id}
                  value={draft.dataBits}
                  onChange={(e) => patch({ dataBits: e.target.value as SerialDraft['dataBits'] })}
                >
                  <option value="">default (8)</option>
                  {['5', '6', '7', '8'].map((v) => (
                    <option key={v}>{v}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Parity">
              {({ id }) => (
                <select
                  id={id}
                  value={draft.parity}
                  onChange={(e) => patch({ parity: e.target.value as SerialDraft['parity'] })}
                >
                  <option value="">default (none)</option>
                  {['none', 'even', 'odd', 'mark', 'space'].map((v) => (
                    <option key={v}>{v}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Stop bits">
              {({ id }) => (
                <select
                  id={id}
                  value={draft.stopBits}
                  onChange={(e) => patch({ stopBits: e.target.value as SerialDraft['stopBits'] })}
                >
                  <option value="">default (1)</option>
                  {['1', '1.5', '2'].map((v) => (
                    <option key={v}>{v}</option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </details>
      </div>
      <FormFooter
        error={submit.error}
        errorTestId="serial-form-error"
        busy={submit.busy}
        editing={Boolean(editing)}
        addLabel="Add device"
        addTestId="serial-add"
        saveTestId="serial-save"
        onCancel={onDone}
      />
    </form>
  );
}
