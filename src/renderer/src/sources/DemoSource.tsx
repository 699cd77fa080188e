// The built-in demo sensor: on by default so a fresh install shows live values without hardware.
import { useState } from 'react';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';
import { useSourcesStore } from '../stores/sourcesStore';

export function DemoSource(): React.JSX.Element {
  const enabled = useSourcesStore((s) => s.demoEnabled);
  /** The position the technician chose, shown at once while the host confirms it. */
  const [asked, setAsked] = useState<boolean | null>(null);
  const toggle = useAction(async (on: boolean) => {
    setAsked(on);
    try {
      const r = await getBench().invoke('demo.set', { enabled: on });
      useSourcesStore.setState({ demoEnabled: r.enabled });
    } finally {
      setAsked(null);
    }
  });
  const on = asked ?? !!enabled;
  return (
    <div className="source-card">
      <label className="switch-row">
        <input
          type="checkbox"
          role="switch"
          className="switch"
          checked={on}
          disabled={enabled === null}
          aria-checked={on}
          onChange={(e) => void toggle.run(e.target.checked)}
          data-testid="demo-toggle"
        />
        <span className="source-title">Demo sensor</span>
        <span className="muted">{on ? 'on' : 'off'}</span>
      </label>
      <ErrorText error={toggle.error} testId="demo-error" />
    </div>
  );
}
