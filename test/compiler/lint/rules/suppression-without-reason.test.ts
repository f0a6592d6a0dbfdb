import counterUpdateRetried from '../../../../compiler/lint/rules/counter-update-retried.ts';
import rule from '../../../../compiler/lint/rules/suppression-without-reason.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/** The counter update every case suppresses (or fails to): IDEM010, since the client marks every query idempotent. */
const client = `import { Client } from 'cassandra-driver';
const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1', queryOptions: { isIdempotent: true } });`;

/**
 * `// idemflow-disable-next-line` comments: honoured with a reason, refused without one; unknown codes and
 * comments that suppress nothing are findings too. IDEM010 runs alongside to give them something to suppress.
 */
sourceRuleTester(rule, {
  alongside: [counterUpdateRetried],
  valid: [
    {
      name: 'a reason after `--`: the finding below is suppressed, and nothing is reported',
      code: code`
        ${client}
        export async function tolerated(page: string): Promise<void> {
          // idemflow-disable-next-line IDEM010 -- approximate hit counter; the nightly batch job recomputes it exactly
          await client.execute('UPDATE page_hits SET hits = hits + 1 WHERE page = ?', [page]);
        }
      `,
    },
    {
      name: 'two codes, one reason, each with a finding on the next line',
      code: code`
        ${client}
        export async function both(page: string): Promise<void> {
          // idemflow-disable-next-line IDEM010, IDEM010 -- the same code twice is still one reason for one finding
          await client.execute('UPDATE page_hits SET hits = hits + 1 WHERE page = ?', [page]);
        }
      `,
    },
    {
      name: 'a directive-looking line inside a string is not a comment',
      code: code`
        export const help = \`
        // idemflow-disable-next-line IDEM010
        \`;
      `,
    },
  ],
  invalid: [
    {
      name: 'no reason: reported, and the finding it names is not suppressed',
      code: code`
        ${client}
        export async function noReason(page: string): Promise<void> {
          // idemflow-disable-next-line IDEM010
          await client.execute('UPDATE page_hits SET hits = hits + 1 WHERE page = ?', [page]);
        }
      `,
      errors: [
        { messageId: 'missingReason', line: 4, column: 3 },
        { code: 'IDEM010', messageId: 'idempotentFlag', line: 5, column: 16 },
      ],
    },
    {
      name: 'a code that does not exist',
      code: code`
        ${client}
        export async function wrongCode(page: string): Promise<void> {
          // idemflow-disable-next-line IDEM999 -- typo in the code
          await client.execute('SELECT hits FROM page_hits WHERE page = ?', [page]);
        }
      `,
      errors: [{ messageId: 'unknownCode', line: 4, column: 3 }],
    },
    {
      name: 'nothing to suppress on the next line (stale after a refactor)',
      code: code`
        ${client}
        export async function nothingToSuppress(page: string): Promise<void> {
          // idemflow-disable-next-line IDEM011 -- stale comment
          await client.execute('SELECT hits FROM page_hits WHERE page = ?', [page]);
        }
      `,
      errors: [{ messageId: 'unused', line: 4, column: 3 }],
    },
    {
      name: 'a comment two lines above its finding suppresses nothing',
      code: code`
        ${client}
        export async function tooFar(page: string): Promise<void> {
          // idemflow-disable-next-line IDEM010 -- meant for the update below

          await client.execute('UPDATE page_hits SET hits = hits + 1 WHERE page = ?', [page]);
        }
      `,
      errors: [
        { messageId: 'unused', line: 4, column: 3 },
        { code: 'IDEM010', messageId: 'idempotentFlag', line: 6, column: 16 },
      ],
    },
  ],
});
