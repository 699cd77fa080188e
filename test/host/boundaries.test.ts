// The layer rules are checked by a tool, not by memory: ESLint refuses `electron` below the
// shell, imports up the layers (plexus ← devices ← plugins ← host ← headless) and Node modules in
// the renderer. This test proves the rules fire (and that the real code passes them).
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { join } from 'node:path';

// The project's own configuration, running only the rule this file is about. The config's
// type-aware rules (promises) would build a TypeScript program for every file linted here, which
// on a loaded machine took longer than the test's minute: they are switched off, with the type
// information they need — the import rules work on the syntax alone.
const eslint = new ESLint({
  cwd: join(__dirname, '..', '..'),
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  for (const dir of [
    'src/main/plexus',
    'src/main/devices/serial',
    'src/main/host',
    'src/main/plugins',
    'src/main/headless',
  ]) {
    it(`${dir} may not import electron`, async () => {
      const m = await restricted("import { app } from 'electron';\nexport const x = app;\n", `${dir}/probe.ts`);
      expect(m.join()).toMatch(/must run in plain Node/);
    });
  }

  const upward: Array<[string, string]> = [
    ['src/main/plexus/probe.ts', '../devices/types'],
    ['src/main/plexus/probe.ts', '../plugins'],
    ['src/main/devices/serial/probe.ts', '../../plugins/types'],
    ['src/main/devices/probe.ts', '../host'],
    ['src/main/plugins/script/probe.ts', '../../host/host'],
    ['src/main/plugins/probe.ts', '../headless/server'],
    ['src/main/host/probe.ts', '../headless/cli'],
  ];
  for (const [file, spec] of upward) {
    it(`${file.replace(/\/probe\.ts$/, '')} may not import ${spec} (layers import only downward)`, async () => {
      const m = await restricted(`import * as x from '${spec}';\nexport const y = x;\n`, file);
      expect(m.join()).toMatch(/Layers import only downward/);
    });
  }

  it('downward imports are fine: plugins use devices and the client, the host uses plugins', async () => {
    for (const [file, spec] of [
      ['src/main/plugins/probe.ts', '../devices/lines/line-reader'],
      ['src/main/plugins/script/probe.ts', '../../plexus/validate'],
      ['src/main/host/probe.ts', '../plugins'],
      ['src/main/devices/probe.ts', '../plexus'],
    ] as const)
      expect(await restricted(`import * as x from '${spec}';\nexport const y = x;\n`, file)).toEqual([]);
  });

  for (const mod of ['node:fs', 'fs', 'electron', 'better-sqlite3', 'ws', 'child_process']) {
    it(`the renderer may not import ${mod}`, async () => {
      const m = await restricted(`import x from '${mod}';\nexport const y = x;\n`, 'src/renderer/src/probe.ts');
      expect(m.length).toBeGreaterThanOrEqual(1);
    });
  }

  it('the shared contract may not import Node modules either (the renderer imports it)', async () => {
    const m = await restricted(
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'src/shared/probe.ts',
    );
    expect(m.length).toBeGreaterThanOrEqual(1);
  });

  it('the shell itself may import electron, and the real code passes', async () => {
    expect(await restricted("import { app } from 'electron';\nexport const x = app;\n", 'src/main/index.ts')).toEqual(
      [],
    );
    const results = await eslint.lintFiles(['src/main', 'src/shared', 'src/renderer']);
    const broken = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}: ${m.message}`),
    );
    expect(broken).toEqual([]);
  });
});
