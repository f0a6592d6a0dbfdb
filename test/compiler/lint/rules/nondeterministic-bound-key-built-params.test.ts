import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE web.visits (site text, seen_at timestamp, path text, note text, PRIMARY KEY (site, seen_at))';
const INSERT = 'INSERT INTO web.visits (site, seen_at, path, note) VALUES (?, ?, ?, ?)';`;

/**
 * Parameters not written as one array literal (unseen round 6): Object.values of a row object, and a
 * const array filled by push before the call, are read by position. Each invalid case failed before the
 * fix; the valid twins put the clock in a value column or take the key from the event.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'Object.values(row) whose key column holds the event time',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = { site: String(message.key), seen_at: new Date(Number(message.timestamp)), path: '/', note: 'x' };
            await client.execute(INSERT, Object.values(row), { prepare: true });
          },
        });
    `,
    },
    {
      name: 'pushed parameters with Date.now() in the last, a value column',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const params: unknown[] = [String(message.key)];
            params.push(Number(message.timestamp));
            params.push('/', Date.now());
            await client.execute(INSERT, params, { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a push in a branch: the positions after it are unknown, nothing is guessed',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const params: unknown[] = [String(message.key)];
            if (message.headers?.['late']) params.push(Number(message.timestamp));
            params.push(Date.now());
            await client.execute(INSERT, params, { prepare: true });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'Object.values(row) with new Date() in the clustering column seen_at',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = {
              site: String(message.key),
              seen_at: new Date(),
              path: '/',
              note: 'x',
            };
            await client.execute(INSERT, Object.values(row), { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 14, column: 24 }],
    },
    {
      name: 'Date.now() pushed second, the clustering column',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const params: unknown[] = [];
            params.push(String(message.key));
            params.push(Date.now());
            params.push('/', 'x');
            await client.execute(INSERT, params, { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 14, column: 25 }],
    },
  ],
});
