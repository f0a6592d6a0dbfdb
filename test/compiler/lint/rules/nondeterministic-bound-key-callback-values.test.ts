import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client, types } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE shop.history (order_id text, changed_at timestamp, status text, PRIMARY KEY (order_id, changed_at))';
const UPSERT = 'UPDATE shop.history SET status = ? WHERE order_id = ? AND changed_at = ?';
function stamped<T>(fn: (ts: Date) => Promise<T>): Promise<T> {
  return fn(new Date());
}
function atEventTime<T>(ms: number, fn: (ts: Date) => Promise<T>): Promise<T> {
  return fn(new Date(ms));
}
async function allocateId(): Promise<types.TimeUuid> {
  return types.TimeUuid.now();
}
async function idOf(key: string): Promise<string> {
  return key.toUpperCase();
}`;

/**
 * Values that reach a callback's parameter (unseen round 6, c13 c14; failed before): the clock a helper
 * hands to the callback it is given, and a helper's promised value taken by `.then((id) => …)`. The event's
 * time handed the same way, and a promised function of the key, stay clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: "a helper that hands the event's time to the callback",
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await atEventTime(Number(message.timestamp), (ts) => client.execute(UPSERT, ['paid', String(message.key), ts]));
          },
        });
    `,
    },
    {
      name: 'a promised function of the key, taken by .then',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await idOf(String(message.key)).then((id) => client.execute(UPSERT, ['paid', id, new Date(Number(message.timestamp))]));
          },
        });
    `,
    },
    {
      name: 'a module Map memo of a function of the event time, read back as the key',
      code: code`${setUp}
      const dayOfHour = new Map<number, Date>();
      function dayOf(ms: number): Date {
        const hour = Math.floor(ms / 3_600_000);
        if (!dayOfHour.has(hour)) dayOfHour.set(hour, new Date(hour * 3_600_000));
        return dayOfHour.get(hour)!;
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(UPSERT, ['paid', String(message.key), dayOf(Number(message.timestamp))]);
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a module Map memo set from the clock, read back with .get() as the key',
      code: code`${setUp}
      const firstSeen = new Map<string, number>();
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const id = String(message.key);
            if (!firstSeen.has(id)) firstSeen.set(id, Date.now());
            await client.execute(UPSERT, ['paid', id, firstSeen.get(id)]);
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 27, column: 55, message: /Date.now\(\) via `firstSeen`/ }],
    },
    {
      name: 'the clock a helper hands to its callback, bound as a key',
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await stamped((ts) => client.execute(UPSERT, ['paid', String(message.key), ts]));
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 24, column: 88, message: /new Date\(\) via `ts`/ }],
    },
    {
      name: "a helper's fresh TimeUuid taken by .then((id) => …), bound as a key",
      code: code`${setUp}
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await allocateId().then((id) => client.execute(UPSERT, ['paid', id.toString(), new Date(0)]));
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 24, column: 77, message: /TimeUuid.now\(\)/ }],
    },
  ],
});
