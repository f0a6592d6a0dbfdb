import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { fixtureFolderTests } from '../../helpers/lint-cases.ts';

/**
 * Left from the seventh round of unseen driver code (issue 15, U7D): families
 * of disguises the lint did not read. Each folder has look-alikes that stay clean.
 */
describe('round 7 of unseen driver code: helpers behind tsconfig paths aliases', () => {
  const root = fileURLToPath(new URL('../../fixtures/unseen7/paths/', import.meta.url));
  // The aliases (`@core/*`, `@infra/*`) are bare specifiers like a package's; the tsconfig maps them into src/.
  fixtureFolderTests(root, `${root}tsconfig.json`, {
    'src/consumer.ts': [['IDEM011', 16, 37, 'newInvoiceId()']],
    'src/core/ids/index.ts': [],
    'src/core/ids/invoice-id.ts': [],
    'src/core/ids/invoice-id-of.ts': [],
    'src/core/sales.ts': [],
    'src/infra/stats-repository.ts': [['IDEM010', 7, 23, 'execute(']],
    'src/schema.ts': [],
  });
});

describe('round 7 of unseen driver code: CommonJS functions assigned to exports', () => {
  const root = fileURLToPath(new URL('../../fixtures/unseen7/cjs/', import.meta.url));
  fixtureFolderTests(root, fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)), {
    'lib/counters.js': [['IDEM010', 7, 17, 'execute(cql.likes']],
    'worker.js': [],
  });
});
