// Lint rules: typescript-eslint's recommended set, the layering of src/ (layers.config.js), and
// the purity rule for the Paxos core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS } from './layers.config.js';

/**
 * `no-restricted-imports` patterns that keep each folder of src/ to its layer: a relative import
 * that climbs out of the folder into one it may not use. Subfolder names never repeat a top-level
 * folder's name, so `../../node/x.js` always means src/node.
 */
function layerRules() {
  return Object.entries(LAYERS).map(([folder, allowed]) => {
    const forbidden = Object.keys(LAYERS).filter((other) => other !== folder && !allowed.includes(other));
    return {
      files: [`src/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...(folder === 'paxos' ? PAXOS_PURITY : []),
              ...forbidden.map((other) => ({
                regex: `^(\\.\\./)+${other}/`,
                message: `src/${folder} may import only ${allowed.length ? allowed.join(', ') : 'nothing of the project'} (layers.config.js): not ${other}.`,
              })),
            ],
          },
        ],
      },
    };
  });
}

/** DESIGN.md §3: nothing under src/paxos touches sockets, files, timers or randomness. */
const PAXOS_PURITY = [
  { group: ['node:*', 'ws', 'msgpackr', 'fs', 'net', 'http'], message: 'src/paxos is pure: no I/O.' },
];

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
  ...layerRules(),
  {
    // DESIGN.md §3: nothing under src/paxos touches sockets, files, timers or randomness.
    files: ['src/paxos/**/*.ts'],
    rules: {
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
