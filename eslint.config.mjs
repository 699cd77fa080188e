// Lint rules, including the layer boundaries (STYLE.md §3): nothing below the Electron shell
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
    files: [
      'src/main/plexus/**',
      'src/main/devices/**',
      'src/main/host/**',
      'src/main/plugins/**',
      'src/main/headless/**',
    ],
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
        },
      ],
    },
  },
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
          patterns: [{ group: ['node:*'], message: 'No Node modules in the renderer.' }],
        },
      ],
    },
  },
);
