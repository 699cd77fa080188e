// The cameras this browser can see, kept current when devices are plugged in or out. Labels are
// empty until camera permission is granted, so callers re-read after the first start.
import { useCallback, useEffect, useState } from 'react';

export interface VideoInput {
  deviceId: string;
  label: string;
}

export function useVideoInputs(): { inputs: VideoInput[] | null; reload: () => void; unsupported: boolean } {
  const [inputs, setInputs] = useState<VideoInput[] | null>(null);
  const unsupported = typeof navigator === 'undefined' || !navigator.mediaDevices?.enumerateDevices;
  const reload = useCallback(() => {
    if (unsupported) return;
    void navigator.mediaDevices.enumerateDevices().then(
      (all) =>
        setInputs(
          all
            .filter((d) => d.kind === 'videoinput')
            .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` })),
        ),
      () => setInputs([]),
    );
  }, [unsupported]);
  useEffect(() => {
    if (unsupported) return;
    reload();
    navigator.mediaDevices.addEventListener('devicechange', reload);
    return () => navigator.mediaDevices.removeEventListener('devicechange', reload);
  }, [reload, unsupported]);
  return { inputs, reload, unsupported };
}
