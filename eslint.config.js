// ESLint with typescript-eslint's type-checked rules: `npm run lint`, run by `npm test` after the type check
// and Prettier. Why this dependency and each setting below: docs/architecture.md ("Dependencies, and why",
// and "Lint of our own code").
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // test/fixtures/ holds code written to be wrong (lint cases, broken pipelines) at exact line:column.
    ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'bench/results/', '**/*.js', '**/*.mjs'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    // A disable comment that no longer suppresses anything is an error: it would hide the next real finding.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Wherever a kind is dispatched with a switch, every kind is handled (or a default says what the rest mean).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // About 60 lines a function, read at once (issue 17): a longer one is a responsibility that wants its own name.
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      // `_name`: a binding kept for its position (a rest sibling, a tuple slot, a callback's parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Readers and sinks implement Promise-returning interfaces: `async` keeps a throw a rejection, as callers expect.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read what the CLI printed (JSON.parse gives `any`); a wrong shape fails the assertion that reads it.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // ... and format values read back from stores (typed unknown) into keys and messages.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // A test is as long as its scenario.
      'max-lines-per-function': 'off',
    },
  },
  {
    // CI runs everything outside test/integration on Node 22 and 24 with no servers (IDEMFLOW_NO_SERVICES):
    // a test there that reaches Kafka or Cassandra passes here, where they run, and fails in CI.
    files: ['test/**'],
    ignores: ['test/integration/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/integration/servers*', '**/integration/global-setup*'],
              message: 'this test needs the real servers: put it under test/integration/.',
            },
          ],
        },
      ],
    },
  },
);
