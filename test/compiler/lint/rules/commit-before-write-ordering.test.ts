import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'shipments' });
const save = (id: string) => client.execute('INSERT INTO shipments (id) VALUES (?)', [id], { prepare: true });
const next = (offset: string) => (BigInt(offset) + 1n).toString();`;

/**
 * Writes and commits whose order the handler does not fix (unseen round 6): a callback-style driver
 * call, a forEach over functions that return promises, `await` of a bare array of writes, a commit in
 * `finally`, a commit beside the write in Promise.all. Each failed before the fix; the valid twins are the same code put in order.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'await Promise.all of an array of writes',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await Promise.all([save(String(message.key)), save(String(message.value))]);
          },
        });
    `,
    },
    {
      name: 'a callback-style execute inside a new Promise that settles in the callback, awaited',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await new Promise<void>((resolve, reject) => {
              client.execute('INSERT INTO shipments (id) VALUES (?)', [String(message.key)], { prepare: true }, (err) => (err ? reject(err) : resolve()));
            });
          },
        });
    `,
    },
    {
      name: 'a forEach whose callback only logs (returns no promise)',
      code: code`${setUp}
      const listeners = [(id: string) => console.info('saw', id)];
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            listeners.forEach((listen) => listen(String(message.key)));
            await save(String(message.key));
          },
        });
    `,
    },
    {
      name: 'the commit after the awaited writes (Promise.all of writes only), not in finally',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            try {
              await Promise.all([save(String(message.key)), save(String(message.value))]);
            } finally {
              console.info('handled', message.offset);
            }
            await consumer.commitOffsets([{ topic, partition, offset: next(message.offset) }]);
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'await of a bare array of writes: nothing waits for them',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await [save(String(message.key)), save(String(message.value))];
          },
        });
    `,
      errors: [
        { messageId: 'awaitedArray', line: 12, column: 20 },
        { messageId: 'awaitedArray', line: 12, column: 47 },
      ],
    },
    {
      name: 'a callback-style execute in eachMessage: nothing to await, the handler returns first',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            client.execute('INSERT INTO shipments (id) VALUES (?)', [String(message.key)], { prepare: true }, (err) => {
              if (err) console.error(err);
            });
          },
        });
    `,
      errors: [{ messageId: 'callbackWrite', line: 12, column: 20 }],
    },
    {
      name: 'a forEach over functions that return promises (not async arrows)',
      code: code`${setUp}
      const sinks = [save, (id: string) => client.execute('INSERT INTO audit (id) VALUES (?)', [id])];
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            sinks.forEach((sink) => sink(String(message.key)));
          },
        });
    `,
      errors: [{ messageId: 'asyncForEach', line: 13, column: 19 }],
    },
    {
      name: 'the commit in finally: it commits a message whose write failed',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            try {
              await save(String(message.key));
            } finally {
              await consumer.commitOffsets([{ topic, partition, offset: next(message.offset) }]);
            }
          },
        });
    `,
      errors: [{ messageId: 'commitInFinally', line: 16, column: 30, message: /line 14/ }],
    },
    {
      name: 'the commit beside the write in Promise.all',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            await Promise.all([save(String(message.key)), consumer.commitOffsets([{ topic, partition, offset: next(message.offset) }])]);
          },
        });
    `,
      errors: [{ messageId: 'commitBesideWrite', line: 13, column: 68 }],
    },
  ],
});
