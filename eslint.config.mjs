// Lint rules that catch the bugs this codebase cares about: floating promises
// (a lost await in a workflow or a request handler), Node built-ins in
// workflow code (non-determinism), type-only imports, and import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '**/*.js', '**/*.mjs', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Workflow code and the pure policy it runs must be deterministic: no Node built-ins, no console.
    // The routing rules run inside the routing workflows; only their configuration loader reads files.
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts', 'src/routing/**/*.ts'],
    ignores: ['src/routing/config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          // Workflows see activities as types only; the worker wires the real functions.
          patterns: [{ group: ['**/activities', '**/activities/*'], allowTypeImports: true }],
        },
      ],
      'no-console': 'error',
    },
  },
  {
    // Command-line entry points, benches and tests talk to the terminal.
    files: ['bench/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'embedded-temporal/test/**/*.ts', '**/cli.ts', '**/*-cli.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
