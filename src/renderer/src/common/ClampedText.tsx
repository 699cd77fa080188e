// A message that may be long (an FFmpeg error, a serial hint): three lines, with a toggle to read
// the rest, so one noisy source cannot push the others off screen.
import { useState } from 'react';

const LONG = 140;

export function ClampedText({
  text,
  className,
  testId,
}: {
  text: string;
  className: string;
  testId?: string;
}): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const long = text.length > LONG;
  return (
    <div className={className}>
      <p className={long && !open ? 'clamped' : undefined} data-testid={testId} title={long ? text : undefined}>
        {text}
      </p>
      {long && (
        <button type="button" className="link-button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'show less' : 'show all'}
        </button>
      )}
    </div>
  );
}
