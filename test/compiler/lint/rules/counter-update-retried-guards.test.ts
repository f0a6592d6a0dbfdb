import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const CLAIM = 'INSERT INTO web.seen (topic, part, off) VALUES (?, ?, ?) IF NOT EXISTS';
const BUMP = 'UPDATE web.hits SET n = n + 1 WHERE page = ?';`;

/**
 * The de-duplication guard (IF NOT EXISTS row by offset) is read for what its test does (unseen round 6):
 * the `[applied]` column is the same answer as wasApplied(); a test that lets the counter run when the row
 * already existed, or a counter sent before the test, guards nothing. Each case failed before the fix.
 */
sourceRuleTester(rule, {
  valid: [],
  invalid: [
    {
      name: 'the guard read through the [applied] column of the first row: a note, as with wasApplied()',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const claim = await client.execute(CLAIM, [topic, partition, message.offset], { prepare: true });
            if (claim.first()['[applied]'] !== true) return;
            await client.execute(BUMP, [String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'dedupGuarded', line: 14, column: 26, severity: 'note' }],
    },
    {
      name: 'an inverted test (if (alreadySeen) return, with alreadySeen = wasApplied()): every redelivery adds the delta',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const claim = await client.execute(CLAIM, [topic, partition, message.offset], { prepare: true });
            const alreadySeen = claim.wasApplied();
            if (alreadySeen) return;
            await client.execute(BUMP, [String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 15, column: 26 }],
    },
    {
      name: 'the counter in the branch taken when the row already existed',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const claim = await client.execute(CLAIM, [topic, partition, message.offset], { prepare: true });
            if (claim.wasApplied() === false) {
              await client.execute(BUMP, [String(message.key)], { prepare: true });
            }
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 28 }],
    },
    {
      name: "the guard's [applied] column destructured from the rows: a note, as with wasApplied()",
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const claim = await client.execute(CLAIM, [topic, partition, message.offset], { prepare: true });
            const [{ '[applied]': firstTime }] = claim.rows;
            if (!firstTime) return;
            await client.execute(BUMP, [String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'dedupGuarded', line: 15, column: 26, severity: 'note' }],
    },
    {
      name: 'the destructured [applied] column tested the wrong way round guards nothing',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const claim = await client.execute(CLAIM, [topic, partition, message.offset], { prepare: true });
            const { '[applied]': seenBefore } = claim.first();
            if (seenBefore) return;
            await client.execute(BUMP, [String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 15, column: 26 }],
    },
  ],
});
