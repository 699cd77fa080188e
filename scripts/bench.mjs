// `npm run bench [-- name…]`: runs every bench/*.bench.ts (or those whose name contains one of the
// arguments) one after the other with `node --require tsx/cjs` (no loader thread: closer to the built app), streams their output, and collects the
// JSON result line each one ends with ({"bench":"<name>",…}). Each result, with the machine it ran
// on (CPU, cores, memory, Node, OS, date, git commit), is appended to bench/results/history.jsonl
// (every run ever: the file the README's figures are traced to) and saved as the latest in
// bench/results/<name>.json. Exits non-zero when a bench fails or prints no result line.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..');
const benchDir = join(root, 'bench');
const resultsDir = join(benchDir, 'results');
const historyFile = join(resultsDir, 'history.jsonl');
/** Benches run in this order; any other bench file runs after them, alphabetically. */
const ORDER = ['client', 'devices', 'serial-e2e', 'plugins', 'ui'];
const SUFFIX = '.bench.ts';

const rank = (name) => {
  const i = ORDER.indexOf(name);
  return i < 0 ? ORDER.length : i;
};
const all = readdirSync(benchDir)
  .filter((f) => f.endsWith(SUFFIX))
  .map((f) => f.slice(0, -SUFFIX.length))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const filters = process.argv.slice(2);
const selected = filters.length ? all.filter((n) => filters.some((f) => n.includes(f))) : all;

if (selected.length === 0) {
  process.stderr.write(
    `No bench matches ${filters.map((f) => JSON.stringify(f)).join(', ') || '(none)'}; available: ${all.join(', ') || 'none'}\n`,
  );
  process.exit(1);
}

/** Runs one bench; resolves with its exit code and last JSON result line (if any). */
function runBench(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(benchDir, `${name}${SUFFIX}`)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let result = null;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      process.stdout.write(`${line}\n`);
      const t = line.trim();
      if (!t.startsWith('{')) return;
      try {
        const obj = JSON.parse(t);
        if (obj && typeof obj === 'object' && typeof obj.bench === 'string') result = t;
      } catch {}
    });
    let exited = null;
    const finish = () => resolve({ code: exited, result });
    child.on('error', (err) => {
      process.stderr.write(`cannot start bench ${name}: ${err.message}\n`);
      exited = -1;
      finish();
    });
    // 'close' comes after the last line of output has been read.
    child.on('close', (code, signal) => {
      exited = code ?? (signal ? `signal ${signal}` : -1);
      finish();
    });
  });
}

/** Read-only git queries; null when git or the repository is not there. */
function git(...args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** What a figure depends on besides the code: the machine, the runtime, and which code it was. */
function machine(loadBefore) {
  const cpu = cpus();
  const status = git('status', '--porcelain', '--untracked-files=no');
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    mem_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
    // The machines are shared: the 1-minute load average just before the bench says how busy.
    load_1m_before: Math.round(loadBefore * 100) / 100,
    commit: git('rev-parse', 'HEAD'),
    // Uncommitted changes to tracked files: the figures belong to the commit plus those.
    dirty: status === null ? null : status.length > 0,
  };
}

const collected = [];
const failed = [];
for (const name of selected) {
  process.stdout.write(`\n▶ bench ${name}\n`);
  const t0 = Date.now();
  const loadBefore = loadavg()[0];
  const { code, result } = await runBench(name);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (result) {
    const record = JSON.stringify({
      ...JSON.parse(result),
      date: new Date().toISOString(),
      seconds: Number(secs),
      exit: code,
      machine: machine(loadBefore),
    });
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `${name}.json`), `${record}\n`);
    appendFileSync(historyFile, `${record}\n`);
    collected.push(result);
  }
  if (code !== 0 || !result) {
    failed.push(name);
    process.stdout.write(`✗ bench ${name} (${secs} s): ${result ? `exit ${code}` : `no result line (exit ${code})`}\n`);
  } else process.stdout.write(`✓ bench ${name} (${secs} s) → bench/results/${name}.json, history.jsonl\n`);
}

process.stdout.write(`\nResults:\n${collected.join('\n')}\n`);
if (failed.length) process.stdout.write(`\nFailed: ${failed.join(', ')}\n`);
process.exit(failed.length ? 1 : 0);
