// One field of a plugin's settings, drawn from its schema: a number box with its unit, a list for
// a fixed set of values, a text box (masked for a password), or a checkbox. Title as label (else the key), description
// and range as help, the default as placeholder.
import type { ScalarField } from '../../../shared/plugin-config';
import { Field } from '../common/Field';
import { rangeWords } from './configDraft';

interface Props {
  fieldKey: string;
  field: ScalarField;
  value: string | boolean | undefined;
  required: boolean;
  problem: string | null;
  onChange: (v: string | boolean) => void;
}

export function ConfigFieldInput({ fieldKey, field: f, value, required, problem, onChange }: Props): React.JSX.Element {
  const label = f.title ?? fieldKey;
  const testId = `plugin-config-${fieldKey}`;
  if (f.type === 'boolean')
    return (
      <div className="field">
        <label className="check-row">
          <input
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            data-testid={testId}
          />
          <span>
            <strong>{label}</strong>
            {f.description && <span className="field-hint"> — {f.description}</span>}
          </span>
        </label>
        {problem && <p className="field-problem">{problem}</p>}
      </div>
    );
  const range = rangeWords(f);
  const sentence = (t: string): string => `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
  const hint = [f.description, range]
    .filter((t): t is string => !!t)
    .map(sentence)
    .join(' ');
  const text = typeof value === 'string' ? value : '';
  return (
    <Field label={label} hint={hint || undefined} problem={problem} problemTestId={`${testId}-problem`}>
      {({ id, describedBy, invalid }) => {
        const common = { id, 'aria-describedby': describedBy, 'aria-invalid': invalid, 'data-testid': testId };
        if (f.type === 'string' && f.enum)
          return (
            <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
              {(text === '' || !f.enum.includes(text)) && (
                <option value={text}>{text === '' ? (required ? 'Choose…' : 'not set') : text}</option>
              )}
              {f.enum.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          );
        if (f.type === 'string')
          return (
            <input
              {...common}
              type={f.format === 'password' ? 'password' : 'text'}
              autoComplete={f.format === 'password' ? 'new-password' : 'off'}
              value={text}
              placeholder={f.format === 'password' ? undefined : f.default}
              maxLength={f.maxLength}
              spellCheck={false}
              onChange={(e) => onChange(e.target.value)}
            />
          );
        return (
          <div className="input-with-unit">
            <input
              {...common}
              type="number"
              inputMode="decimal"
              min={f.minimum}
              max={f.maximum}
              step={f.type === 'integer' ? 1 : 'any'}
              value={text}
              placeholder={f.default !== undefined ? String(f.default) : undefined}
              onChange={(e) => onChange(e.target.value)}
            />
            {f.unit && <span className="input-unit">{f.unit}</span>}
          </div>
        );
      }}
    </Field>
  );
}
