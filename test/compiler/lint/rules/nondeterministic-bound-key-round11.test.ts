import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
export const schema = 'CREATE TABLE app.events (event_id text PRIMARY KEY, body text)';`;

/**
 * Round 11 of unseen driver code (U11D): lodash's `uniqueId` (a counter of the process, from 1 again after
 * a restart) imported from `lodash/uniqueId.js` as a key (e03), and `INSERT … JSON ?` whose document keys the row by a fresh id (e11). Each
 * invalid case failed before its fix (stash); the valid ones are their look-alikes.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'uniqueId only in a log line, the key from the offset',
      code: code`${setUp}
      import { uniqueId } from 'lodash';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ partition, message }) => {
            console.log(uniqueId('log_'), 'storing');
            await client.execute('INSERT INTO events (event_id, body) VALUES (?, ?)', [\`\${partition}-\${message.offset}\`, String(message.value)]);
          },
        });
    `,
    },
    {
      name: 'INSERT JSON keyed by a content hash, the clock in a value column',
      code: code`${setUp}
      import { createHash } from 'node:crypto';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = { event_id: createHash('sha256').update(String(message.value)).digest('hex'), body: new Date().toISOString() };
            await client.execute('INSERT INTO events JSON ?', [JSON.stringify(row)]);
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: "lodash's uniqueId, imported as ESM imports its own module (lodash/uniqueId.js), as the key",
      code: code`${setUp}
      import uniqueId from 'lodash/uniqueId.js';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute('INSERT INTO events (event_id, body) VALUES (?, ?)', [uniqueId('evt_'), String(message.value)]);
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 12, column: 88, message: /lodash/ }],
    },
    {
      name: 'INSERT JSON whose document keys the row by randomUUID()',
      code: code`${setUp}
      import { randomUUID } from 'node:crypto';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const row = { event_id: randomUUID(), body: String(message.value) };
            await client.execute('INSERT INTO events JSON ?', [JSON.stringify(row)]);
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 12, column: 37 }],
    },
  ],
});
