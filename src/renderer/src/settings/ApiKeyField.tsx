// The API key: typed once into a password field and never shown again. Once saved the section
// says so, with Replace and Remove; a key kept unprotected on disk is flagged.
import { useEffect, useRef, useState } from 'react';
import type { SettingsView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { Field } from '../common/Field';
import { useAction } from '../common/useAction';
import { useSettingsStore } from '../stores/settingsStore';

interface Props {
  settings: SettingsView;
  value: string;
  onChange: (v: string) => void;
  replacing: boolean;
  onReplacing: (r: boolean) => void;
  error: string | null;
  autoFocus: boolean;
}

export function keyProblem(key: string): string | null {
  const k = key.trim();
  if (!k) return null;
  return k.length < 8 ? 'an API key has at least 8 characters' : k.length > 512 ? 'at most 512 characters' : null;
}

export function ApiKeyField(p: Props): React.JSX.Element {
  const inputRef = useRef<HTMLInputElement>(null);
  const replaceRef = useRef<HTMLButtonElement>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const remove = useAction(async () => {
    const settings = await getBench().invoke('settings.setApiKey', { apiKey: null });
    useSettingsStore.setState({ settings });
    setConfirmRemove(false);
  });
  const editing = !p.settings.apiKeySet || p.replacing;
  useEffect(() => {
    if (!p.autoFocus) return;
    if (editing) inputRef.current?.focus();
    else replaceRef.current?.focus();
  }, [p.autoFocus, editing]);

  return (
    <fieldset className="settings-section">
      <legend>API key</legend>
      {p.settings.keyWarning && (
        <p className="warning" role="note" data-testid="key-warning">
          ⚠ {p.settings.keyWarning}
        </p>
      )}
      {editing ? (
        <>
          <Field
            label={p.settings.apiKeySet ? 'New API key' : 'API key'}
            hint="Paste the key from the Plexus platform. Once saved it is never shown again."
            problem={keyProblem(p.value) ?? p.error}
            problemTestId="api-key-problem"
          >
            {({ id, describedBy, invalid }) => (
              <input
                ref={inputRef}
                id={id}
                type="password"
                value={p.value}
                onChange={(e) => p.onChange(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                autoComplete="off"
                spellCheck={false}
                data-testid="api-key-input"
              />
            )}
          </Field>
          {p.replacing && (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                p.onChange('');
                p.onReplacing(false);
              }}
            >
              Keep the saved key
            </button>
          )}
        </>
      ) : (
        <div className="key-saved" data-testid="api-key-saved">
          <span>
            <span className="check" aria-hidden>
              ✓
            </span>{' '}
            Key saved{' '}
            <small>
              {p.settings.keyStorage === 'os-keychain' ? '(sealed by the OS keychain)' : '(stored unprotected on disk)'}
            </small>
          </span>
          {confirmRemove ? (
            <span className="inline-confirm">
              <span>Remove it? Recording continues; nothing is sent until a key is added.</span>
              <button
                type="button"
                className="button button-danger"
                onClick={() => void remove.run()}
                disabled={remove.busy}
                data-testid="api-key-remove-confirm"
              >
                Remove key
              </button>
              <button type="button" className="button" onClick={() => setConfirmRemove(false)}>
                Keep
              </button>
            </span>
          ) : (
            <span className="button-row">
              <button
                ref={replaceRef}
                type="button"
                className="button"
                onClick={() => p.onReplacing(true)}
                data-testid="api-key-replace"
              >
                Replace
              </button>
              <button
                type="button"
                className="button"
                onClick={() => setConfirmRemove(true)}
                data-testid="api-key-remove"
              >
                Remove
              </button>
            </span>
          )}
        </div>
      )}
      <ErrorText error={remove.error} testId="api-key-remove-error" />
    </fieldset>
  );
}
