import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client, mapping } from 'cassandra-driver';
import { Kafka } from 'kafkajs';
import { promisify } from 'node:util';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const views = new mapping.Mapper(client, { models: { Views: { tables: ['views'] } } }).forModel('Views');
const { q } = mapping;`;

/**
 * Counter updates sent through the driver's other forms (unseen round 6, b01 b02 b13; failed before): the
 * Mapper's `q.incr`, a batch built with `Array.from(map, fn)`, and `execute` promisified from a bound method.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a Mapper update of a whole value',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await views.update({ page: String(message.key), views: Number(message.value) });
          },
        });
    `,
    },
    {
      name: 'a batch of whole values built with Array.from(map, fn)',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            const totals = new Map(batch.messages.map((m) => [String(m.key), Number(m.value)] as const));
            const statements = Array.from(totals, ([sku, n]) => ({ query: 'UPDATE sku SET sold = ? WHERE sku = ?', params: [n, sku] }));
            await client.batch(statements, { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a promisified execute of an upsert',
      code: code`${setUp}
      const exec = promisify(client.execute.bind(client)) as (q: string, p: unknown[]) => Promise<unknown>;
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await exec('UPDATE votes SET n = ? WHERE id = ?', [Number(message.value), String(message.key)]);
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a Mapper update with q.incr(1), from eachMessage',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await views.update({ page: String(message.key), views: q.incr(1) });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 13, column: 25, message: /Mapper `q.incr` of `views`/ }],
    },
    {
      name: 'a counter batch built with Array.from(map, fn), from eachBatch',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            const totals = new Map(batch.messages.map((m) => [String(m.key), 1] as const));
            const statements = Array.from(totals, ([sku, n]) => ({ query: 'UPDATE sku SET sold = sold + ? WHERE sku = ?', params: [n, sku] }));
            await client.batch(statements, { prepare: true, counter: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 15, column: 26 }],
    },
    {
      name: 'execute promisified from a method bound to its client, sending a counter update',
      code: code`${setUp}
      const exec = promisify(client.execute.bind(client)) as (q: string, p: unknown[]) => Promise<unknown>;
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await exec('UPDATE votes SET n = n + 1 WHERE id = ?', [String(message.key)]);
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 19 }],
    },
  ],
});
