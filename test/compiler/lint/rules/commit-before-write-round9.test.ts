import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const consumerAndWrite = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'inbox' });
const write = (raw: string) => client.execute('INSERT INTO app.inbox (id) VALUES (?)', [raw], { prepare: true });`;

/**
 * Round 9 of unseen driver code (issue 15, U9D): writes a kafkajs handler starts and keeps in a name it never
 * waits for. Each invalid case failed before its fix (stash); the look-alikes wait for the write.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'the write kept in a set of in-flight writes and also awaited by the handler',
      code: code`${consumerAndWrite}
      const inflight = new Set<Promise<unknown>>();
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const p = write(String(message.value));
            inflight.add(p);
            try {
              await p;
            } finally {
              inflight.delete(p);
            }
          },
        });
    `,
    },
    {
      name: 'two writes kept in names, awaited together',
      code: code`${consumerAndWrite}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const first = write(String(message.key));
            const second = write(String(message.value));
            await Promise.all([first, second]);
          },
        });
    `,
    },
    {
      name: 'the write raced against a deadline that rejects: the handler waits for it or fails',
      code: code`${consumerAndWrite}
      const deadline = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slow')), ms));
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await Promise.race([write(String(message.value)), deadline(3_000)]);
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'the write kept in a set drained only at shutdown: the handler returns before it lands',
      code: code`${consumerAndWrite}
      const inflight = new Set<Promise<unknown>>();
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const p = write(String(message.value)).finally(() => inflight.delete(p));
            inflight.add(p);
          },
        });
    `,
      errors: [{ messageId: 'floatingWrite', line: 12, column: 23 }],
    },
    {
      name: 'the write raced against a timer that resolves: after 3 s the handler returns with the write in flight',
      code: code`${consumerAndWrite}
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await Promise.race([write(String(message.value)), sleep(3_000)]);
          },
        });
    `,
      errors: [{ messageId: 'racedWrite', line: 12, column: 33 }],
    },
  ],
});
