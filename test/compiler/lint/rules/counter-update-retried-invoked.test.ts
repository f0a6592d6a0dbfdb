import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka, type EachMessagePayload } from 'kafkajs';

const db = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
type Evt = { sku: string; qty: number };`;

/**
 * Functions a Kafka handler runs without calling them by name (unseen round 7,
 * U7D; the invalid cases failed before the fix): a method bound with
 * `.bind(instance)`, kept in a const and handed to a handler factory; and
 * `Reflect.apply(handler, ctx, [e])` / `handler.call(ctx, e)` of a function
 * picked from a table of handlers. Tables of whole-value writes stay clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'Reflect.apply and .call of table entries that write whole values; a bound method that upserts',
      code: code`${setUp}
      const handlers: Record<string, (this: Client, e: Evt) => Promise<unknown>> = {
        async restocked(e) { return this.execute('UPDATE stock SET qty = ? WHERE sku = ?', [e.qty, e.sku]); },
      };
      class Prices { async set(e: Evt) { await db.execute('UPDATE prices SET p = ? WHERE sku = ?', [e.qty, e.sku]); } }
      const prices = new Prices();
      const setPrice = prices.set.bind(prices);
      const handlerFor = (apply: (e: Evt) => Promise<void>) => async ({ message }: EachMessagePayload) => apply(JSON.parse(String(message.value)));
      export const a = () => consumer.run({
        eachMessage: async ({ message }) => {
          const handler = handlers[String(message.key)];
          if (handler) await Reflect.apply(handler, db, [JSON.parse(String(message.value))]);
          if (handler) await handler.call(db, JSON.parse(String(message.value)));
        },
      });
      export const b = () => consumer.run({ eachMessage: handlerFor(setPrice) });
    `,
    },
  ],
  invalid: [
    {
      name: 'a bound method handed to a handler factory; Reflect.apply and .call of a table entry',
      code: code`${setUp}
      const handlers: Record<string, (this: Client, e: Evt) => Promise<unknown>> = {
        async returned(e) { return this.execute('UPDATE returns SET n = n + ? WHERE sku = ?', [e.qty, e.sku]); },
      };
      const more: Record<string, (e: Evt) => Promise<unknown>> = {
        async sold(e) { return db.execute('UPDATE sold SET n = n + ? WHERE sku = ?', [e.qty, e.sku]); },
      };
      class Stats { async record(e: Evt) { await db.execute('UPDATE views SET n = n + 1 WHERE sku = ?', [e.sku]); } }
      const stats = new Stats();
      const record = stats.record.bind(stats);
      const handlerFor = (apply: (e: Evt) => Promise<void>) => async ({ message }: EachMessagePayload) => apply(JSON.parse(String(message.value)));
      export const a = () => consumer.run({
        eachMessage: async ({ message }) => {
          const handler = handlers[String(message.key)];
          if (handler) await Reflect.apply(handler, db, [JSON.parse(String(message.value))]);
          const other = more[String(message.key)];
          if (other) await other.call(undefined, JSON.parse(String(message.value)));
        },
      });
      export const b = () => consumer.run({ eachMessage: handlerFor(record) });
    `,
      errors: [
        { messageId: 'kafkaHandler', line: 9, column: 41 },
        { messageId: 'kafkaHandler', line: 12, column: 35 },
        { messageId: 'kafkaHandler', line: 14, column: 53 },
      ],
    },
  ],
});
