import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/**
 * Round 11 of unseen driver code (U11D): counter updates written so that the CQL reader missed them —
 * a comment inside the SET (f02) and a whole `BEGIN COUNTER BATCH … APPLY BATCH` sent as one string
 * (f03). Both invalid cases failed before the fix (stash).
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a comment beside a whole-value SET',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute('UPDATE t SET n = /* total */ ? WHERE k = ? -- not a delta: n + 1', [1, String(message.key)]);
          },
        });
    `,
    },
    {
      name: 'a logged batch of whole values sent as one string',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(
              'BEGIN BATCH UPDATE a SET n = ? WHERE k = ?; UPDATE b SET m = ? WHERE k = ?; APPLY BATCH',
              [1, String(message.key), 2, String(message.key)],
            );
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a comment between the column and its delta, names in other case',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute('update t set Views = /* one more */ views + 1 where k = ?', [String(message.key)]);
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 10, column: 26 }],
    },
    {
      name: 'a counter batch sent as one statement string',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(
              'BEGIN COUNTER BATCH UPDATE a SET n = n + 1 WHERE k = ?; UPDATE b SET m = m + 1 WHERE k = ?; APPLY BATCH',
              [String(message.key), String(message.key)],
            );
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 10, column: 26 }],
    },
  ],
});
