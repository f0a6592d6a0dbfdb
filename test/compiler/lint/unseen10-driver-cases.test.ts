import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { fixtureFolderTests } from '../../helpers/lint-cases.ts';

/**
 * Round 10 of unseen driver code (issue 15, U10D): statements kept in files of the program — a `.cql`
 * file read with fs, a JSON file imported — are read; the whole-value twins beside them stay clean.
 */
describe('round 10 of unseen driver code: statements read from .cql and JSON files', () => {
  const root = fileURLToPath(new URL('../../fixtures/unseen10/read-cql/', import.meta.url));
  fixtureFolderTests(root, fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)), {
    'consumer.ts': [
      ['IDEM010', 18, 20, 'execute(ADD_HIT'],
      ['IDEM010', 19, 20, 'execute(queries'],
      ['IDEM010', 20, 20, 'execute(await'],
    ],
  });
});
