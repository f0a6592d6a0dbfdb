import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client, errors } from 'cassandra-driver';
import { Kafka } from 'kafkajs';
import pLimit from 'p-limit';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const UPSERT = 'UPDATE profiles SET name = ? WHERE id = ?';`;

/**
 * A kafkajs handler that can return with its write in flight, or its failure let go, in shapes round 8 of
 * unseen driver code found unread (U8D c02 c03 c05 c10 c11; each failed before): a race with a timer that
 * resolves in a helper the write is handed to, write promises kept in module state awaited only past a
 * threshold, and a catch that rethrows only some failures. (A race written out, c02, is found by round 9's U9D
 * racedWrite too, its case kept here beside the helper's; tasks kept in a const never awaited, c10, are a U9D
 * floatingWrite.)
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a race with a timer that rejects: a slow write fails the handler',
      code: code`${setUp}
      const expire = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slow')), ms));
      await consumer.run({
        eachMessage: async ({ message }) => {
          await Promise.race([client.execute(UPSERT, [String(message.value), String(message.key)]), expire(3000)]);
        },
      });
    `,
    },
    {
      name: 'tasks kept in a const and awaited with Promise.all',
      code: code`${setUp}
      const limit = pLimit(8);
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const tasks = batch.messages.map((m) => limit(() => client.execute(UPSERT, [String(m.value), String(m.key)])));
          console.debug(tasks.length);
          await Promise.all(tasks);
        },
      });
    `,
    },
    {
      name: 'writes pushed to module state, awaited on every path',
      code: code`${setUp}
      const pending: Promise<unknown>[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          pending.push(client.execute(UPSERT, [String(message.value), String(message.key)]));
          if (pending.length >= 200) console.info('many');
          await Promise.all(pending.splice(0));
        },
      });
    `,
    },
    {
      name: 'a catch that rethrows every failure but a class of the program',
      code: code`${setUp}
      class Duplicate extends Error {}
      await consumer.run({
        eachMessage: async ({ message }) => {
          try {
            await client.execute(UPSERT, [String(message.value), String(message.key)]);
          } catch (err) {
            if (!(err instanceof Duplicate)) throw err;
            console.info('already stored');
          }
        },
      });
    `,
    },
  ],
  invalid: [
    {
      name: 'Promise.race of the write and a sleep that resolves',
      code: code`${setUp}
      await consumer.run({
        eachMessage: async ({ message }) => {
          await Promise.race([client.execute(UPSERT, [String(message.value), String(message.key)]), sleep(3000)]);
        },
      });
    `,
      errors: [{ messageId: 'racedWrite', line: 12, column: 38, message: /races `sleep\(3000\)` in Promise\.race:/ }],
    },
    {
      name: 'the write handed to a helper that races it with a timer that resolves',
      code: code`${setUp}
      function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
        const expired = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));
        return Promise.race([work, expired]);
      }
      await consumer.run({
        eachMessage: async ({ message }) => {
          await withTimeout(client.execute(UPSERT, [String(message.value), String(message.key)]), 2000);
        },
      });
    `,
      errors: [
        {
          messageId: 'racedWrite',
          line: 16,
          column: 36,
          message: /in Promise\.race inside withTimeout\(\) \(line 16\)/,
        },
      ],
    },
    {
      name: 'writes pushed to module state, awaited only past a threshold',
      code: code`${setUp}
      const pending: Promise<unknown>[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          pending.push(client.execute(UPSERT, [String(message.value), String(message.key)]));
          if (pending.length >= 200) await Promise.all(pending.splice(0));
        },
      });
    `,
      errors: [{ messageId: 'keptPromise', line: 13, column: 31, message: /awaited only when pending\.length >= 200/ }],
    },
    {
      name: "a catch that rethrows all but the driver's server errors (write timeouts among them)",
      code: code`${setUp}
      await consumer.run({
        eachMessage: async ({ message }) => {
          try {
            await client.execute(UPSERT, [String(message.value), String(message.key)]);
          } catch (err) {
            if (!(err instanceof errors.ResponseError)) throw err;
            console.error('not stored', err.message);
          }
        },
      });
    `,
      errors: [{ messageId: 'partlySwallowed', line: 14, column: 13, message: /errors\.ResponseError/ }],
    },
  ],
});
