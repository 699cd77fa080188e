// better-sqlite3 is a native module built for one runtime at a time: Node's ABI (tests, headless
// mode, `npm start` in the browser) or Electron's (the desktop app). A marker in node_modules
// remembers which; these helpers switch when needed, so `npm test` and `npm start` both work on one
// machine (the switch costs one rebuild, about a minute).
//
// npm does not run better-sqlite3's own install script (package.json allowScripts): without a
// machine-specific nodedir, node-gyp would try to download Node's headers, which fails offline.
// buildForNode() does it instead, with the headers of the Node that runs it — Debian's (/usr), nvm's
// or an official tarball's all keep them in <prefix>/include/node.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const marker = join(root, 'node_modules', '.plexus-native-target');
const moduleDir = join(root, 'node_modules', 'better-sqlite3');
const addon = join(moduleDir, 'build', 'Release', 'better_sqlite3.node');

export function currentTarget() {
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'node';
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status === 0;
}

/** Runs a Node script in better-sqlite3's folder; its output is kept, to show only if it matters. */
function nodeScript(script, args, timeout, env = process.env) {
  return spawnSync(process.execPath, [script, ...args], {
    cwd: moduleDir,
    env,
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Whether better-sqlite3 opens a database in this Node (tried in a child: a failed load must not stick). */
export function loadsInNode() {
  const r = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:').close()"], {
    cwd: root,
    stdio: 'ignore',
    timeout: 30_000,
  });
  return r.status === 0;
}

/** The prefix holding this Node's own headers (<prefix>/include/node), or null (node-gyp then downloads them). */
export function nodeHeadersDir() {
  // <prefix>/bin/node on Linux and macOS; node.exe sits in the prefix itself on Windows.
  for (const dir of [dirname(dirname(process.execPath)), dirname(process.execPath)]) {
    const version = join(dir, 'include', 'node', 'node_version.h');
    if (!existsSync(version) || !existsSync(join(dir, 'include', 'node', 'common.gypi'))) continue;
    // Headers of another Node in the same prefix would build for the wrong ABI.
    const major = /#define NODE_MAJOR_VERSION (\d+)/.exec(readFileSync(version, 'utf8'))?.[1];
    if (major === process.versions.node.split('.')[0]) return dir;
  }
  return null;
}

/** node-gyp's script: npm's own (npm tells its scripts where it is), else the project's, else the one beside this Node. */
function nodeGyp() {
  const prefix = dirname(dirname(process.execPath));
  return [
    process.env.npm_config_node_gyp,
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((p) => p && existsSync(p));
}

/** The last lines of a failed step's output, so the reason is on screen without pages of compiler noise. */
function tail(r, lines = 30) {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n');
  return `${out.slice(-lines).join('\n')}${r.error ? `\n${r.error.message}` : ''}\n`;
}

/**
 * Builds better-sqlite3 for the Node running this script: a prebuilt binary where one can be
 * fetched (quick), else a compile against this Node's headers (about a minute). True when it then
 * loads; the marker says 'node'.
 */
export function buildForNode() {
  if (!existsSync(moduleDir)) return true; // not installed (e.g. a partial install): nothing to build
  const done = () => {
    writeFileSync(marker, 'node\n');
    return true;
  };
  const say = (line) => process.stdout.write(`${line}\n`);
  // A prebuilt binary, where its host (GitHub) can be reached; a short wait where it cannot.
  try {
    const prebuild = createRequire(join(moduleDir, 'package.json')).resolve('prebuild-install/bin.js');
    nodeScript(prebuild, [], 60_000);
    if (loadsInNode()) return done();
  } catch {
    // prebuild-install is missing: compile.
  }
  const gyp = nodeGyp();
  if (!gyp) {
    process.stderr.write('better-sqlite3 cannot be built: node-gyp was not found (it comes with npm).\n');
    return false;
  }
  const headers = nodeHeadersDir();
  say(`Compiling better-sqlite3 for Node ${process.version} (no prebuilt binary could be fetched; about a minute)…`);
  // node-gyp lets npm's config (npm_config_nodedir, e.g. from a ~/.npmrc written for another Node)
  // override its command line: the headers of the Node that runs this go in both.
  const env = { ...process.env };
  if (headers) {
    for (const k of Object.keys(env)) if (/^npm_config_nodedir$/i.test(k)) delete env[k];
    env.npm_config_nodedir = headers;
  }
  const args = ['rebuild', '--release', '--jobs=max', ...(headers ? [`--nodedir=${headers}`] : [])];
  const r = nodeScript(gyp, args, 20 * 60_000, env);
  if (r.status === 0 && loadsInNode()) return done();
  process.stderr.write(tail(r));
  process.stderr.write(
    `better-sqlite3 could not be compiled for Node ${process.version} (see above). It needs Python 3, make and a ` +
      `C++ compiler${headers ? '' : ", and Node's headers (node-gyp downloads them from nodejs.org)"}.\n`,
  );
  return false;
}

/**
 * After `npm install`: keep a build that still fits — Node's, or Electron's that `npm start` made
 * (a repeated install need not cost two rebuilds) — else build for Node.
 */
export function afterInstall() {
  if (existsSync(addon) && (currentTarget().startsWith('electron-') || loadsInNode())) return true;
  return buildForNode();
}

/** Make sure better-sqlite3 loads in this Node (building it if it was built for Electron, or never). */
export function ensureNodeNative() {
  if (currentTarget() === 'node' && existsSync(addon)) return true;
  if (existsSync(addon)) process.stdout.write('Rebuilding better-sqlite3 for Node (it was built for Electron)…\n');
  return buildForNode();
}

/** Make sure native modules are built for the installed Electron. */
export function ensureElectronNative(electronVersion) {
  const want = `electron-${electronVersion}`;
  if (currentTarget() === want) return true;
  process.stdout.write(`Building native modules for Electron ${electronVersion} (once)…\n`);
  if (!run(join(root, 'node_modules', '.bin', 'electron-builder'), ['install-app-deps'])) return false;
  writeFileSync(marker, `${want}\n`);
  return true;
}
