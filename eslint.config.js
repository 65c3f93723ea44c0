// Lint rules, including the one-way dependency arrows between top folders of src/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Folders each layer must not import from (style.md: ui → client ⇢ runtime → {domain, store, emulator}). */
const FORBIDDEN = {
  emulator: ['domain', 'store', 'runtime', 'client', 'ui', 'cli'],
  domain: ['emulator', 'store', 'runtime', 'client', 'ui', 'cli'],
  store: ['emulator', 'runtime', 'client', 'ui', 'cli'],
  runtime: ['client', 'ui', 'cli'],
  client: ['ui', 'cli'],
  ui: ['store', 'emulator', 'runtime', 'cli'],
  cli: ['client', 'ui'],
};

const layerRules = Object.entries(FORBIDDEN).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.{ts,tsx}`],
  ignores: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`**/${b}/*`, `**/${b}`],
          message: `src/${layer} may not import from src/${b} (see style.md, "Layout that shows the architecture").`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', '.cache', 'guests/build', 'public'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/ui/**/*.tsx', 'src/ui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  ...layerRules,
  {
    // The machine is a pure function of its inputs (design.md §4): no wall clock, no randomness.
    files: ['src/emulator/**/*.ts', 'src/domain/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Deterministic code takes time as input.' },
        { object: 'Math', property: 'random', message: 'Deterministic code takes randomness as input.' },
        { object: 'performance', property: 'now', message: 'Deterministic code takes time as input.' },
      ],
    },
  },
);
