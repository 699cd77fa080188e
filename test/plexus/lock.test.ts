// The data-dir lock with real processes: a killed owner that nobody reaped (a zombie) does not
// hold it, six processes racing for a stale lock never both get it, and a lock file still being
// written is not mistaken for a stale one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Plexus } from '../../src/main/plexus';
import { bundleFixture, removeBundles } from '../helpers/bundle';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const SUBREAPER = join(__dirname, '..', 'fixtures', 'camera-subreaper.py');
/** lock-child.ts, bundled: seven processes start it, each would transpile the client under tsx. */
let FIXTURE: string;
beforeAll(async () => {
  FIXTURE = await bundleFixture(join(__dirname, '..', 'fixtures', 'lock-child.ts'));
});

const clients: Plexus[] = [];
const procs: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 200 })));
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});
afterAll(() => {
  cleanupTempDirs();
  removeBundles();
});

function procStat(pid: number): { state: string; start: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, start: f[19]! };
  } catch {
    return null;
  }
}

function lines(p: ChildProcess): string[] {
  const out: string[] = [];
  createInterface({ input: p.stdout! }).on('line', (l) => out.push(l));
  return out;
}

describe('data-dir lock', () => {
  it('a client killed with kill -9 and not yet reaped (a zombie) does not keep the data dir locked', async () => {
    const dir = tempDir();
    // The client's parent is a `sleep` that never waits for it (sh execs into it), under a
    // subreaper that reaps everything once the test kills the sleep.
    const holder = spawn(
      '/usr/bin/python3',
      [SUBREAPER, 'sh', '-c', '"$0" "$1" hold "$2" & exec sleep 600', process.execPath, FIXTURE, dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    procs.push(holder);
    const out = lines(holder);
    await until(() => out.some((l) => l.startsWith('locked ')), 20_000, 'the child to take the lock');
    const [, pidText, ppidText] = out.find((l) => l.startsWith('locked '))!.split(' ');
    const pid = Number(pidText);
    const sleeper = Number(ppidText);
    try {
      expect(() => new Plexus({ apiKey: null, dataDir: dir })).toThrow(
        new RegExp(`in use by another Plexus client \\(process ${pid}\\)`),
      );
      process.kill(pid, 'SIGKILL');
      await until(() => procStat(pid)?.state === 'Z', 10_000, 'the killed client to be a zombie');
      const c = new Plexus({ apiKey: null, dataDir: dir });
      clients.push(c);
      expect(readFileSync(join(dir, 'client.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
      expect(procStat(pid)?.state).toBe('Z'); // still unreaped: the zombie itself was judged dead
    } finally {
      process.kill(sleeper, 'SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
  }, 40_000);

  it('six processes racing for a stale lock: exactly one wins, 30 times for each kind of stale lock', async () => {
    const racers = Array.from({ length: 6 }, () => {
      const p = spawn(process.execPath, [FIXTURE, 'race'], { stdio: ['pipe', 'pipe', 'inherit'] });
      procs.push(p);
      return { p, out: lines(p) };
    });
    await until(() => racers.every((r) => r.out.includes('ready')), 30_000, 'the racers to start');
    // A dead owner: a process that has exited (and was reaped); its pid is free.
    const dead = spawnSync('true').pid;
    const kinds: Record<string, (lock: string) => void> = {
      'dead owner': (lock) => writeFileSync(lock, `${dead} 12345`),
      'empty, left by a crash long ago': (lock) => {
        writeFileSync(lock, '');
        const old = new Date(Date.now() - 60_000);
        utimesSync(lock, old, old);
      },
    };
    // Trials go out in batches: one start 150 ms ahead (time for every racer to read the command),
    // then a trial every GAP_MS, each in its own dir, all racers spinning to the same instants.
    // Against a naive take-over (read, judge stale, unlink, create), six racers made two winners in
    // about 1 trial in 10 (3–15 % per series), batched just as one trial at a time: all 60 trials
    // are kept, which miss such a race about once in 500 runs (30 would miss it once in 25).
    const BATCH = 10;
    const GAP_MS = 25;
    const tally: Record<string, number[]> = {};
    for (const [kind, make] of Object.entries(kinds)) {
      const winnersPerTrial: number[] = (tally[kind] = []);
      for (let batch = 0; batch < 30 / BATCH; batch++) {
        const dirs = Array.from({ length: BATCH }, () => tempDir());
        for (const dir of dirs) make(join(dir, 'client.lock'));
        for (const r of racers) r.out.length = 0;
        const at = Date.now() + 150;
        for (const r of racers) r.p.stdin.write(`go ${at} ${GAP_MS} ${dirs.join(' ')}\n`);
        await until(() => racers.every((r) => r.out.length >= BATCH), 30_000, 'every racer to answer');
        for (const dir of dirs) {
          const lock = join(dir, 'client.lock');
          const answer = (r: (typeof racers)[number]): string => r.out.find((l) => l.split(' ')[1] === dir)!;
          const winners = racers.filter((r) => answer(r) === `won ${dir}`);
          winnersPerTrial.push(winners.length);
          if (winners.length === 1) {
            const w = winners[0]!;
            expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${w.p.pid} \\d+$`));
            for (const r of racers)
              if (r !== w)
                expect(answer(r)).toMatch(new RegExp(`in use by another Plexus client \\(process ${w.p.pid}\\)`));
          }
          for (const w of winners) w.p.stdin.write(`release ${dir}\n`);
          await until(() => winners.every((w) => w.out.includes(`released ${dir}`)), 5000, 'the release');
        }
      }
    }
    console.log(
      `lock race, 6 processes × 30 trials: winners per trial ${JSON.stringify(Object.fromEntries(Object.entries(tally).map(([k, v]) => [k, v.join('')])))}`,
    );
    for (const v of Object.values(tally)) expect(v).toEqual(Array(30).fill(1));
  }, 120_000);

  it('an empty lock file that its writer is still filling is not taken over', async () => {
    const dir = tempDir();
    const lock = join(dir, 'client.lock');
    const owner = spawn('sleep', ['30']);
    procs.push(owner);
    await until(() => procStat(owner.pid!) !== null, 5000, 'the owner to start');
    const content = `${owner.pid} ${procStat(owner.pid!)!.start}`;
    // An older client creates the file, then writes into it: the content comes a moment later.
    writeFileSync(lock, '');
    const writer = spawn('sh', ['-c', `sleep 0.3; printf '%s' '${content}' > '${lock}'`]);
    procs.push(writer);
    expect(() => new Plexus({ apiKey: null, dataDir: dir })).toThrow(
      new RegExp(`in use by another Plexus client \\(process ${owner.pid}\\)`),
    );
    expect(readFileSync(lock, 'utf8')).toBe(content);
  });

  it('a takeover cut short by kill -9 (its claim left behind) does not block the next start', () => {
    const dir = tempDir();
    const lock = join(dir, 'client.lock');
    const dead = spawnSync('true').pid;
    writeFileSync(lock, `${dead} 12345`);
    // A taker that died holding its claim on that stale lock.
    writeFileSync(join(dir, `client.lock.takeover-${statSync(lock).ino}`), `${dead} 12346`);
    const c = new Plexus({ apiKey: null, dataDir: dir });
    clients.push(c);
    expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
  });
});
