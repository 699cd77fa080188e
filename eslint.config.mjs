// Lint rules, including the layer boundaries (docs/ARCHITECTURE.md): nothing below the Electron shell
// imports electron, and the renderer imports no Node module.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const nodeModules = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'electron',
  'ws',
  'better-sqlite3',
  'serialport',
  'sharp',
];

/** Rules for one layer: no electron, and no import of the layers above it (by relative path). */
function layer(files, above) {
  return {
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'Only the Electron shell (src/main/index.ts) and preload may import electron: this layer must run in plain Node.',
            },
          ],
          patterns: above.length
            ? [
                {
                  regex: `^(\\.\\./)+(${above.join('|')})(/|$)`,
                  message: `Layers import only downward (shared ← plexus ← devices ← plugins ← host ← shell/headless): this layer may not import ${above.join(', ')}.`,
                },
              ]
            : [],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Type-aware promise rules: a promise nobody awaits or catches is an error that vanishes.
    // `void p` is no escape either: a fire-and-forget call says where its failure goes (.catch).
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // In the window, `void action()` is allowed: its actions (useAction, the run and marker
    // stores, sync's refresh) catch every failure themselves and show it next to the control.
    files: ['src/renderer/**'],
    rules: { '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }] },
  },
  // Layers import only downward: shared ← plexus ← devices ← plugins ← host ← shell/headless.
  // None below the shell imports electron.
  layer('src/main/plexus/**', ['devices', 'plugins', 'host', 'headless']),
  layer('src/main/devices/**', ['plugins', 'host', 'headless']),
  layer('src/main/plugins/**', ['host', 'headless']),
  layer('src/main/host/**', ['headless']),
  layer('src/main/headless/**', []),
  {
    files: ['src/renderer/**', 'src/shared/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: nodeModules.map((name) => ({
            name,
            message:
              'The renderer (and the shared contract it imports) runs in a sandboxed browser: no Node or Electron modules.',
          })),
          patterns: [
            { group: ['node:*'], message: 'No Node modules in the renderer.' },
            {
              regex: '^(\\.\\./)+(main|preload)(/|$)',
              message:
                'The window sees only the contract (src/shared): it may not import the main process or the preload.',
            },
          ],
        },
      ],
    },
  },
);
