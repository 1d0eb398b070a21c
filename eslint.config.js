// Lint rules: typescript-eslint's recommended set, plus the purity rule for the Paxos core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'reports/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // DESIGN.md §3: nothing under src/paxos touches sockets, files, timers or randomness.
    files: ['src/paxos/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'ws',
            'msgpackr',
            'fs',
            'net',
            'http',
            '../runtime/*',
            '../transport/*',
            '../storage/*',
            '../node/*',
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'setTimeout',
        'setInterval',
        'setImmediate',
        'queueMicrotask',
        'fetch',
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes from the XState clock.' },
        {
          object: 'Math',
          property: 'random',
          message: 'Randomness comes from the seeded source in context.',
        },
      ],
    },
  },
);
