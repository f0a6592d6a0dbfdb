import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE web.links (code text PRIMARY KEY, url text, made_by text)';
const INSERT = 'INSERT INTO web.links (code, url, made_by) VALUES (?, ?, ?)';`;

/**
 * A generator a package's factory made (nanoid's customAlphabet), kept in a const and called for each
 * message: a fresh random id each call (unseen round 6, c08; the invalid case failed before the fix).
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'the made generator in a value column; the key is the message key',
      code: code`${setUp}
      import { customAlphabet } from 'nanoid';
      const requestTag = customAlphabet('0123456789abcdef', 8);
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(INSERT, [String(message.key), String(message.value), requestTag()], { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a function of the program that happens to be named customAlphabet (judged by its body)',
      code: code`${setUp}
      const customAlphabet = (alphabet: string, size: number) => (seed: string) => seed.slice(0, size) + alphabet[0];
      const shortCode = customAlphabet('abc', 6);
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(INSERT, [shortCode(String(message.key)), String(message.value), 'x'], { prepare: true });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: "nanoid's customAlphabet generator bound as the key in eachMessage",
      code: code`${setUp}
      import { customAlphabet } from 'nanoid';
      const shortCode = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(INSERT, [shortCode(), String(message.value), 'x'], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 14, column: 43, message: /customAlphabet/ }],
    },
  ],
});
