// The device name, checked as it is typed with the reason shown; renaming is explained because a
// new name is a new source on the platform.
import { useEffect, useRef } from 'react';
import { DEVICE_NAME_RULE, deviceNameProblem } from '../../../shared/names';
import { Field } from '../common/Field';

interface Props {
  value: string;
  saved: string;
  onChange: (v: string) => void;
  error: string | null;
  autoFocus: boolean;
}

export function DeviceNameField({ value, saved, onChange, error, autoFocus }: Props): React.JSX.Element {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) ref.current?.select();
  }, [autoFocus]);
  const problem = deviceNameProblem(value) ?? error;
  const renaming = value !== saved && !deviceNameProblem(value);
  return (
    <fieldset className="settings-section">
      <legend>Device</legend>
      <Field label="Device name" hint={DEVICE_NAME_RULE} problem={problem} problemTestId="device-name-problem">
        {({ id, describedBy, invalid }) => (
          <input
            ref={ref}
            id={id}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            autoComplete="off"
            spellCheck={false}
            data-testid="device-name-input"
          />
        )}
      </Field>
      {renaming && (
        <p className="note" data-testid="rename-note">
          Renaming makes <strong>{value}</strong> a new source on the platform. Data already sent stays under{' '}
          <strong>{saved}</strong>; dashboards and commands that use the old name will not follow.
        </p>
      )}
    </fieldset>
  );
}
