import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const db = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const kafka = new Kafka({ brokers: ['127.0.0.1:9092'] });
const producer = kafka.producer({ transactionalId: 'tx', idempotent: true, maxInFlightRequests: 1 });
const consumer = kafka.consumer({ groupId: 'g' });`;

/**
 * A kafkajs transaction's sendOffsets commits the consumer's offsets with the
 * transaction: before the Cassandra write (which no Kafka transaction covers)
 * has landed, a crash loses the message (unseen round 7, U7D; the invalid case
 * failed before the fix). Its own commit()/abort() after sendOffsets are not
 * writes after it.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'the write awaited first, then send, sendOffsets and commit of the transaction',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            await db.execute('INSERT INTO relayed (id, body) VALUES (?, ?)', [String(message.key), String(message.value)]);
            const tx = await producer.transaction();
            try {
              await tx.send({ topic: 'out', messages: [{ value: String(message.value) }] });
              await tx.sendOffsets({ consumerGroupId: 'g', topics: [{ topic, partitions: [{ partition, offset: message.offset }] }] });
              await tx.commit();
            } catch (err) {
              await tx.abort();
              throw err;
            }
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'sendOffsets and commit before the Cassandra write',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const tx = await producer.transaction();
            await tx.sendOffsets({ consumerGroupId: 'g', topics: [{ topic, partitions: [{ partition, offset: message.offset }] }] });
            await tx.commit();
            await db.execute('INSERT INTO relayed (id, body) VALUES (?, ?)', [String(message.key), String(message.value)]);
          },
        });
    `,
      errors: [{ messageId: 'offsetBeforeWrite', line: 14, column: 22, message: /sendOffsets\(\).*db\.execute/ }],
    },
  ],
});
