import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/unseen11p/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * From the eleventh round of unseen DSL pipelines (issue 15, U11P): families of
 * disguises the analysis did not read. Each file has look-alikes that stay clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // lodash's clock, chance and process counter, judged by the package's names. uninstalled/ imports packages this
  // repository does not install (lodash, ramda): `check` cannot load those files, so the lint alone reads them, as it
  // reads any package it does not have (the unseen cases of round 11 ran both tools with the packages installed).
  'uninstalled/lodash.ts': [
    ['IDEM003', 13, 47, '_.now()'],
    ['IDEM003', 19, 36, '_.sample('],
    ['IDEM003', 24, 29, 'shuffle(ARMS)'],
    ['IDEM016', 31, 17, '_.random(0, 99)'],
    ['IDEM007', 38, 31, "_.uniqueId('r-')"],
  ],
};

describe('round 11 of unseen DSL pipelines: what the analysis now reads', () => {
  fixtureFolderTests(root, tsconfig, dslCases);
});
