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
 * Round 9 of unseen driver code (issue 15, U9D): shapes the lint did not read. Each invalid case failed
 * before its fix (checked by stashing it); each valid one is its look-alike that stays clean.
 */
sourceRuleTester(rule, {
  valid: [],
  invalid: [
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
