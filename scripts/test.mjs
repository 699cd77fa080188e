// `npm test`: the whole suite — static checks (types, lint, format, build) and every vitest
// test — ending with one plain line "N passed, N failed" that CI reads. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeNative } from './native.mjs';

const root = join(import.meta.dirname, '..');
// Tests run in Node: native modules must be built for Node, not for Electron (npm start switches them).
if (!ensureNodeNative()) {
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}
const bin = (name) => join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const failures = [];

function check(name, cmd, args) {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  process.stdout.write(`${ok ? '✓' : '✗'} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

if (only.length === 0) {
  check('typecheck (node)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.node.json']);
  check('typecheck (web)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.web.json']);
  check('lint', bin('eslint'), ['.', '--max-warnings=0']);
  check('format', bin('prettier'), ['--check', '--log-level=warn', '.']);
  check('electron-vite build', bin('electron-vite'), ['build']);
  // The public API's type declarations (package.json exports), which the packed-API test installs.
  check('api types', bin('tsc'), ['-p', 'tsconfig.api.json']);
}

mkdirSync(join(root, 'test-artifacts'), { recursive: true });
const report = join(root, 'test-artifacts', 'vitest.json');
rmSync(report, { force: true });
process.stdout.write('\n▶ vitest\n');
const v = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...only],
  {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  },
);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  for (const s of r.testResults ?? []) {
    for (const a of s.assertionResults ?? []) if (a.status === 'failed') failures.push(`${a.fullName}`);
    // A file that failed outside any test (import error, failing hook) counts as one failure.
    if (s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed')) {
      failed++;
      failures.push(`${s.name}: ${(s.message ?? 'suite failed').split('\n')[0]}`);
    }
  }
} else {
  failed++;
  failures.push('vitest produced no report');
}
if (v.status !== 0 && failed === 0) {
  failed++;
  failures.push(`vitest exited with ${v.status}`);
}

if (failures.length) process.stdout.write(`\nFailed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
