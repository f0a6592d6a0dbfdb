import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { randomUUID } from 'node:crypto';
import { Client } from 'cassandra-driver';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const INSERT = 'INSERT INTO shop.clicks (click_id, page) VALUES (?, ?)';
export const schema = 'CREATE TABLE shop.clicks (click_id text PRIMARY KEY, page text)';`;

/**
 * Round 10 of unseen driver code (issue 15, U10D): each invalid case failed before its fix (checked by
 * stashing it); each valid one is its look-alike that stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a Lambda MSK handler keying rows by topic/partition/offset: the same rows on a redelivery',
      code: code`${setUp}
      type MskRecord = { topic: string; partition: number; offset: number; value: string };
      export async function handler(event: { records: Record<string, MskRecord[]> }) {
        for (const r of Object.values(event.records).flat())
          await client.execute(INSERT, [\`\${r.topic}-\${r.partition}-\${r.offset}\`, r.value], { prepare: true });
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'a Lambda handler typed by a local MskEvent: each redelivered record gets a fresh key',
      code: code`${setUp}
      type MskEvent = { records: Record<string, { value: string }[]> };
      export async function handler(event: MskEvent) {
        for (const r of Object.values(event.records).flat())
          await client.execute(INSERT, [randomUUID(), r.value], { prepare: true });
      }
    `,
      errors: [{ messageId: 'boundParameter', line: 11, column: 41, message: /AWS Lambda MskEvent handler/ }],
    },
    {
      name: 'a Temporal activity that makes its payment id inside: each attempt inserts another row',
      code: code`${setUp}
      import { proxyActivities } from '@temporalio/workflow';
      export async function recordClick(page: string) {
        await client.execute(INSERT, [randomUUID(), page], { prepare: true });
      }
      export const activities = { recordClick };
      const proxied = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
      export const clicked = (page: string) => proxied.recordClick(page);
    `,
      errors: [{ messageId: 'boundParameter', line: 10, column: 39, message: /Temporal activity/ }],
    },
  ],
});
