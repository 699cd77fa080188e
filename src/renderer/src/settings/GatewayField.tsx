// Where data goes: the Plexus cloud, a self-hosted gateway, or nowhere (local only).
import { useEffect, useRef } from 'react';
import { Field } from '../common/Field';
import type { GatewayDraft } from './gatewayDraft';

const MODES: Array<{ mode: GatewayDraft['mode']; label: string; hint: string }> = [
  { mode: 'cloud', label: 'Plexus cloud', hint: 'Send to the hosted Plexus platform.' },
  {
    mode: 'custom',
    label: 'Custom gateway',
    hint: 'A self-hosted Plexus, e.g. https://plexus.lab:8443 (http:// only on this machine: the API key never travels in clear text)',
  },
  { mode: 'local', label: 'Local only', hint: 'Send nothing. Everything is still recorded on this machine.' },
];

interface Props {
  draft: GatewayDraft;
  onChange: (d: GatewayDraft) => void;
  problems: { url: string | null; wsUrl: string | null };
  error: string | null;
  autoFocus: boolean;
}

export function GatewayField({ draft, onChange, problems, error, autoFocus }: Props): React.JSX.Element {
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) firstRef.current?.focus();
  }, [autoFocus]);
  return (
    <fieldset className="settings-section">
      <legend>Gateway</legend>
      <div className="radio-group" role="radiogroup" aria-label="Gateway">
        {MODES.map((m, i) => (
          <label key={m.mode} className="radio-card">
            <input
              ref={i === 0 ? firstRef : undefined}
              type="radio"
              name="gateway-mode"
              value={m.mode}
              checked={draft.mode === m.mode}
              onChange={() => onChange({ ...draft, mode: m.mode })}
              data-testid={`gateway-mode-${m.mode}`}
            />
            <span>
              <strong>{m.label}</strong>
              <small>{m.hint}</small>
            </span>
          </label>
        ))}
      </div>
      {draft.mode === 'custom' && (
        <div className="field-row">
          <Field label="Gateway URL (HTTP)" problem={problems.url} problemTestId="gateway-url-problem">
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="url"
                value={draft.url}
                placeholder="http://plexus.lab:8080"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => onChange({ ...draft, url: e.target.value })}
                data-testid="gateway-url-input"
                spellCheck={false}
              />
            )}
          </Field>
          <Field label="WebSocket URL (optional)" hint="Derived from the HTTP URL when empty." problem={problems.wsUrl}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="url"
                value={draft.wsUrl}
                placeholder="ws://plexus.lab:8080/ws/device"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => onChange({ ...draft, wsUrl: e.target.value })}
                data-testid="gateway-ws-url-input"
                spellCheck={false}
              />
            )}
          </Field>
        </div>
      )}
      {error && (
        <p className="error-text" role="alert" data-testid="gateway-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
