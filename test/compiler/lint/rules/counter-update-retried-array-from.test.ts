import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/**
 * Batch statements built with `Array.from(batch.messages, fn)` are read like
 * `batch.messages.map(fn)` (unseen round 7, U7D; the invalid case failed
 * before the fix).
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'Array.from statements that set whole values',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            const statements = Array.from(batch.messages, (m) => ({
              query: 'UPDATE last_seen SET at = ? WHERE sensor = ?',
              params: [new Date(Number(m.timestamp)), String(m.key)],
            }));
            await client.batch(statements, { prepare: true });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'Array.from counter statements sent as a counter batch in eachBatch',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            const statements = Array.from(batch.messages, (m) => ({
              query: 'UPDATE per_sensor SET n = n + 1 WHERE sensor = ?',
              params: [String(m.key)],
            }));
            await client.batch(statements, { prepare: true, counter: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 26 }],
    },
  ],
});
