// Send one line of text to a serial device (a command to the firmware, e.g. "RATE 10").
import { useState } from 'react';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';

export function SendLine({ id, disabled }: { id: string; disabled: boolean }): React.JSX.Element {
  const [line, setLine] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const send = useAction(async (text: string) => {
    await getBench().invoke('serial.write', { id, line: text });
    setSent(text);
    setLine('');
  });
  return (
    <form
      className="send-line"
      onSubmit={(e) => {
        e.preventDefault();
        void send.run(line);
      }}
    >
      <div className="input-with-button">
        <input
          value={line}
          onChange={(e) => setLine(e.target.value)}
          placeholder="Send a line…"
          aria-label="Line to send to the device"
          spellCheck={false}
          data-testid={`serial-line-${id}`}
        />
        <button
          type="submit"
          className="button"
          disabled={send.busy || disabled}
          title={disabled ? 'Connect the device first' : undefined}
          data-testid={`serial-send-${id}`}
        >
          Send
        </button>
      </div>
      <ErrorText error={send.error} testId={`serial-send-error-${id}`} />
      {sent !== null && !send.error && <p className="muted">sent “{sent}”</p>}
    </form>
  );
}
