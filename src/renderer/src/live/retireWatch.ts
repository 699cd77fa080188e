// Applies retire.ts to the live data: watches the sources store and forgets the metrics of
// sources that went away, and those a reconfigured source stopped writing.
import { usePreviewStore } from '../stores/previewStore';
import { useSourcesStore } from '../stores/sourcesStore';
import { hostNow } from './clock';
import { forgetMetrics } from './liveData';
import { RETIRE_GRACE_MS as GRACE_MS, RETIRE_LATE_MS as LATE_MS } from '../../../shared/source-keys';
import { retiredPrefixes, sourceKeys, type Retired } from './retire';

interface Pending extends Retired {
  at: number;
}

function forget(prefix: string, before: number): void {
  if (forgetMetrics((s) => s.name.startsWith(prefix) && s.lastT < before) > 0)
    usePreviewStore.setState((p) => ({ namesVersion: p.namesVersion + 1 }));
}

/** Start watching; returns the function that stops it. */
export function watchRetiredSources(): () => void {
  let known = sourceKeys(useSourcesStore.getState());
  let pending: Pending[] = [];
  const off = useSourcesStore.subscribe((s, prev) => {
    if (
      s.plugins === prev.plugins &&
      s.network === prev.network &&
      s.serial === prev.serial &&
      s.cameras === prev.cameras
    )
      return;
    const next = sourceKeys(s);
    const at = hostNow();
    for (const r of retiredPrefixes(known, next)) {
      if (r.removed) forget(r.prefix, Infinity);
      pending.push({ ...r, at });
    }
    known = next;
  });
  const timer = setInterval(() => {
    const now = hostNow();
    pending = pending.filter((p) => {
      if (now - p.at < GRACE_MS) return true;
      forget(p.prefix, p.removed ? p.at + LATE_MS : p.at);
      return false;
    });
  }, 1000);
  return () => {
    off();
    clearInterval(timer);
  };
}
