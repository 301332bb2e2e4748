import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // public/: plain browser scripts outside the TypeScript project.
  { ignores: ['node_modules/', 'migrations/', 'openapi/', '.data/', 'bench/results/', 'workers/solver-thread.boot.mjs', 'public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Typed rules: they read the TypeScript program, so a promise nobody awaits is an error.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // The solver's hot loops index typed arrays (Float64Array, Int32Array) whose bounds are fixed
    // when the problem is built; a check per read there costs time in the innermost loops and
    // guards nothing, so the rule stays off for the solver alone.
    files: ['src/routing/solver/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['bench/**', 'src/**/*.cli.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
