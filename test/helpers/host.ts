// Hosts for tests: started with short backoffs and a short answer timeout, shut down afterwards,
// and a typed way to make a request that throws the host's message when it is refused.
import { afterAll, beforeAll } from 'vitest';
import { Host, type HostOptions } from '../../src/main/host';
import type { ReplyMap, RequestName } from '../../src/shared/contract';
import { cleanupTempDirs, tempDir } from './tmp';

const started = new Set<Host>();

export async function startHost(dataDir = tempDir(), extra: Partial<HostOptions> = {}): Promise<Host> {
  const h = await Host.start({
    dataDir,
    answerTimeoutMs: 1500,
    clientOptions: { reconnect: { baseMs: 100, capMs: 500 } },
    ...extra,
  });
  started.add(h);
  return h;
}

/** Shut a host down now (a restart test), so the afterEach does not do it again. */
export async function stopHost(h: Host): Promise<void> {
  started.delete(h);
  await h.shutdown();
}

/** afterEach: every host still running is shut down (flushing for at most a second). */
export async function stopHosts(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(all.map((h) => h.shutdown({ flushTimeoutMs: 1000 })));
}

export async function call<N extends RequestName>(h: Host, name: N, payload: unknown): Promise<ReplyMap[N]> {
  const r = await h.handle(name, payload);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as ReplyMap[N];
}

/**
 * One local-only host (no API key) for a whole test file: started before its tests, shut down and
 * its temp dirs removed after them. Tests reach it through the returned function.
 */
export function localHostPerFile(): () => Host {
  let host: Host | undefined;
  beforeAll(async () => {
    host = await Host.start({ dataDir: tempDir(), clientOptions: { apiKey: null } });
  });
  afterAll(async () => {
    await host?.shutdown();
    cleanupTempDirs();
  });
  return () => host!;
}
