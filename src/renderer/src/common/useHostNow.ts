// The host's time, re-read every `everyMs` — for elapsed times and countdowns. Only the component
// that shows the time re-renders.
import { useEffect, useState } from 'react';
import { hostNow } from '../live/clock';

export function useHostNow(everyMs = 250): number {
  const [now, setNow] = useState(hostNow);
  useEffect(() => {
    const id = setInterval(() => setNow(hostNow()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
