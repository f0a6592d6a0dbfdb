import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client, types } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE ops.audit (entity text, entry_id text, actor text, at timestamp, PRIMARY KEY (entity, entry_id))';
const INSERT = 'INSERT INTO ops.audit (entity, entry_id, actor, at) VALUES (?, ?, ?, ?)';
interface Msg { id: string; entity: string; actor?: string }`;

/**
 * A property read of an object a function of the program returns (unseen round 8, U8D: k04, k13, s17)
 * is followed to that property: the last part of the literal that may set it, spreads looked into or
 * judged by their type. Before, the whole object was judged, so a clock in one property (a value
 * column) was reported on every key column read from the object (s17 was a false alarm; k04 and k13
 * had a second finding on a column from the message). The valid cases failed before the fix.
 * A destructuring default of a variable (\`const { id = randomUUID() } = body\`, k02) was skipped: the
 * binding was marked seen by the look-up of what it is destructured from, before its default was read.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'the clock in a value property of a returned object, the key property from the message (written last)',
      code: code`${setUp}
      const defaults = () => ({ actor: 'system', at: new Date() });
      const entryOf = (msg: Msg) => ({ ...defaults(), ...msg, entryId: msg.id });
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const e = entryOf(JSON.parse(String(message.value)) as Msg);
            await client.execute(INSERT, [e.entity, e.entryId, e.actor, e.at], { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a returned object with a shorthand key from the parameter and the clock beside it',
      code: code`${setUp}
      function keyOf(entity: string) {
        return { entity, at: Date.now() };
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const k = keyOf(String(message.key));
            await client.execute(INSERT, [k.entity, String(message.value), 'x', k.at], { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a destructuring default from the message itself (its offset) as the key',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const { id = String(message.offset), entity } = JSON.parse(String(message.value)) as Partial<Msg>;
            await client.execute(INSERT, [entity, id, 'x', new Date()], { prepare: true });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a destructuring default randomUUID() as the key (unseen round 8, k02)',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const { id = crypto.randomUUID(), entity } = JSON.parse(String(message.value)) as Partial<Msg>;
            await client.execute(INSERT, [entity, id, 'x', null], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 14, column: 51 }],
    },
    {
      name: 'the key property set by a spread defaults object (TimeUuid.now()) that the message type does not override',
      code: code`${setUp}
      const fresh = () => ({ entryId: types.TimeUuid.now().toString() });
      const entryOf = (msg: Msg) => ({ ...fresh(), ...msg });
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const e = entryOf(JSON.parse(String(message.value)) as Msg);
            await client.execute(INSERT, [e.entity, e.entryId, 'x', new Date()], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 16, column: 53 }],
    },
    {
      name: 'a later literal property overrides the spread: the clock written last wins',
      code: code`${setUp}
      const entryOf = (msg: Msg) => ({ ...msg, entryId: String(Date.now()) });
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const e = entryOf(JSON.parse(String(message.value)) as Msg);
            await client.execute(INSERT, [e.entity, e.entryId, 'x', null], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 15, column: 53 }],
    },
  ],
});
