import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/**
 * Writes a kafkajs handler hands to something that does not wait (issue 15,
 * round 3 of unseen cases): a queue task whose promise is dropped, an
 * EventEmitter listener that writes asynchronously; and a failure only logged
 * in a base class method reached by `super.persist(…)`. Each with a
 * look-alike that waits, or cannot lose the message.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a queued write awaited in the handler',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';
      import PQueue from 'p-queue';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const pending = new PQueue({ concurrency: 8 });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await pending.add(() => client.execute('INSERT INTO shop.carts (id, body) VALUES (?, ?)', [String(message.key), String(message.value)], { prepare: true }));
        },
      });
    `,
    },
    {
      name: 'writes queued for a whole batch, then onIdle() awaited before the handler returns',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';
      import PQueue from 'p-queue';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const pending = new PQueue({ concurrency: 8 });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages)
            pending.add(() => client.execute('INSERT INTO shop.carts (id, body) VALUES (?, ?)', [String(m.key), String(m.value)], { prepare: true }));
          await pending.onIdle();
        },
      });
    `,
    },
    {
      name: 'an emitted event whose listener only logs (nothing to lose)',
      code: code`
      import { EventEmitter } from 'node:events';
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const audit = new EventEmitter();
      audit.on('stored', (id: string) => console.info('stored', id));

      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'orders' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await client.execute('INSERT INTO shop.orders (id, body) VALUES (?, ?)', [String(message.key), String(message.value)], { prepare: true });
          audit.emit('stored', String(message.key));
        },
      });
    `,
    },
    {
      name: 'a base class method reached by super that rethrows after logging',
      code: code`
      import type { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      class Store {
        constructor(protected readonly client: Client) {}

        protected async persist(id: string, body: string): Promise<void> {
          try {
            await this.client.execute('INSERT INTO pay.refunds (id, body) VALUES (?, ?)', [id, body], { prepare: true });
          } catch (error) {
            console.error('refund write failed', id);
            throw error;
          }
        }
      }

      class Refunds extends Store {
        async save(id: string, body: string): Promise<void> {
          await super.persist(id, body);
        }
      }

      export function start(client: Client): Promise<void> {
        const refunds = new Refunds(client);
        const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'refunds' });
        return consumer.run({ eachMessage: async ({ message }) => refunds.save(String(message.key), String(message.value)) });
      }
    `,
    },
    {
      name: 'callbacks kept in a Set (add stores them) and run, awaited, before the handler returns',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const steps = new Set<() => Promise<unknown>>();
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          steps.add(() => client.execute('INSERT INTO shop.carts (id) VALUES (?)', [String(message.key)], { prepare: true }));
          for (const step of steps) await step();
          steps.clear();
        },
      });
    `,
    },
    {
      name: 'a handler that waits in a promise around setTimeout, then awaits its write',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await new Promise<void>((done) => setTimeout(() => client.execute('INSERT INTO shop.carts (id) VALUES (?)', [String(message.key)], { prepare: true }).then(() => done()), 50));
        },
      });
    `,
    },
  ],
  invalid: [
    {
      name: "a write handed to a queue as a statement: the task's promise is dropped",
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';
      import PQueue from 'p-queue';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const pending = new PQueue({ concurrency: 8 });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          pending.add(() => client.execute('INSERT INTO shop.carts (id, body) VALUES (?, ?)', [String(message.key), String(message.value)], { prepare: true }));
        },
      });
    `,
      errors: [{ messageId: 'queuedWrite', line: 10, column: 13, message: /queue `pending`/ }],
    },
    {
      name: 'an async listener that writes, fired by emit from the handler (emit drops its promise, even awaited)',
      code: code`
      import { EventEmitter } from 'node:events';
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const audit = new EventEmitter();
      audit.on('order', async (id: string, body: string) => {
        await client.execute('INSERT INTO shop.orders (id, body) VALUES (?, ?)', [id, body], { prepare: true });
      });

      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'orders' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await audit.emit('order', String(message.key), String(message.value));
        },
      });
    `,
      errors: [
        {
          messageId: 'emittedWrite',
          line: 14,
          column: 17,
          message: /a listener \(.*:7:19\) with an asynchronous write/,
        },
      ],
    },
    {
      name: "a failure only logged in a base class method, reached by super.persist from the handler's method",
      code: code`
      import type { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      class Store {
        constructor(protected readonly client: Client) {}

        protected async persist(id: string, body: string): Promise<void> {
          try {
            await this.client.execute('INSERT INTO pay.refunds (id, body) VALUES (?, ?)', [id, body], { prepare: true });
          } catch (error) {
            console.error('refund write failed', id, error);
          }
        }
      }

      class Refunds extends Store {
        async save(id: string, body: string): Promise<void> {
          await super.persist(id, body);
        }
      }

      export function start(client: Client): Promise<void> {
        const refunds = new Refunds(client);
        const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'refunds' });
        return consumer.run({ eachMessage: async ({ message }) => refunds.save(String(message.key), String(message.value)) });
      }
    `,
      errors: [{ messageId: 'swallowedFailure', line: 10, column: 7, message: /`persist\(\)`/ }],
    },
    {
      name: 'a write handed to a p-limit limiter as a statement',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';
      import pLimit from 'p-limit';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const limit = pLimit(4);
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          limit(() => client.execute('INSERT INTO shop.carts (id) VALUES (?)', [String(message.key)], { prepare: true }));
        },
      });
    `,
      errors: [{ messageId: 'queuedWrite', line: 10, column: 5 }],
    },
    {
      name: 'a write scheduled with setImmediate from the handler: it starts after the handler has returned',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'carts' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          setImmediate(() => client.execute('INSERT INTO shop.carts (id) VALUES (?)', [String(message.key)], { prepare: true }));
        },
      });
    `,
      errors: [{ messageId: 'deferredWrite', line: 8, column: 5, message: /`setImmediate\(…\)` starts a write/ }],
    },
  ],
});
