import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/**
 * Round 11 of unseen driver code (U11D d09): the handler hands its writes to a helper of the program that
 * settles them with `Promise.allSettled` and only counts the failures: the batch returns normally and its
 * offsets commit. The invalid case failed before the fix (stash); a helper that throws when one failed is clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a settling helper that throws when any write failed',
      code: code`${setUp}
      async function settleAll<T>(work: Promise<T>[]) {
        const results = await Promise.allSettled(work);
        const failed = results.filter((r) => r.status === 'rejected');
        if (failed.length > 0) throw new Error(\`\${failed.length} writes failed\`);
      }
      export const start = () =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            await settleAll(batch.messages.map((m) => client.execute('INSERT INTO t (k) VALUES (?)', [String(m.key)])));
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a settling helper that only counts the failures',
      code: code`${setUp}
      async function settleAll<T>(work: Promise<T>[]) {
        const results = await Promise.allSettled(work);
        return results.filter((r) => r.status === 'rejected').length;
      }
      export const start = () =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            await settleAll(batch.messages.map((m) => client.execute('INSERT INTO t (k) VALUES (?)', [String(m.key)])));
          },
        });
    `,
      errors: [{ messageId: 'swallowedByHelper', line: 14, column: 19 }],
    },
  ],
});
