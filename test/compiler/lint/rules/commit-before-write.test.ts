import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/** kafkajs and kafka-node handlers whose offset commit can overtake the write. */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'Promise.allSettled whose rejected results are thrown',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'orders' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            const results = await Promise.allSettled(
              batch.messages.map((m) => client.execute('INSERT INTO shop.orders (id, doc) VALUES (?, ?)', [String(m.key), String(m.value)])),
            );
            const failed = results.find((r) => r.status === 'rejected');
            if (failed) throw new Error(batch.topic + ': a write failed');
          },
        });
      }
    `,
    },
    {
      name: 'kafka-node with autoCommit off, committing after the awaited write',
      code: code`
      import { ConsumerGroup } from 'kafka-node';
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      const consumer = new ConsumerGroup({ kafkaHost: '127.0.0.1:9092', groupId: 'orders', autoCommit: false }, ['orders']);

      // Commits only after the write has landed.
      consumer.on('message', async (message) => {
        const order = JSON.parse(String(message.value));
        await client.execute('INSERT INTO shop.orders (id, total) VALUES (?, ?)', [order.id, order.total], { prepare: true });
        consumer.commit(() => undefined);
      });
    `,
    },
    {
      name: 'a write whose .catch dead-letters the message and rethrows: kafkajs delivers it again',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const kafka = new Kafka({ brokers: ['127.0.0.1:9092'] });
      const producer = kafka.producer();
      const consumer = kafka.consumer({ groupId: 'refunds' });

      async function deadLetter(value: Buffer | null, error: unknown): Promise<void> {
        await producer.send({ topic: 'refunds.dlq', messages: [{ value, headers: { error: String(error) } }] });
      }

      export async function start(): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            const r = JSON.parse(String(message.value)) as { id: string; cents: number };
            await client
              .execute('UPDATE pay.refunds SET cents = ? WHERE id = ?', [r.cents, r.id], { prepare: true })
              .catch(async (e: unknown) => {
                await deadLetter(message.value, e);
                throw e;
              });
          },
        });
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'Promise.allSettled of the writes, results only counted for a log line',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'orders' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch, resolveOffset }) => {
            const results = await Promise.allSettled(
              batch.messages.map((m) => client.execute('INSERT INTO shop.orders (id, doc) VALUES (?, ?)', [String(m.key), String(m.value)])),
            );
            console.warn(results.filter((r) => r.status === 'rejected').length, 'writes failed');
            for (const m of batch.messages) resolveOffset(m.offset);
          },
        });
      }
    `,
      errors: [{ messageId: 'settledFailure', line: 10, column: 37, message: /line 11/ }],
    },
    {
      name: 'a write not awaited in eachMessage',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'archive' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            const event = JSON.parse(message.value?.toString() ?? '{}') as { id: string; body: string };
            client.execute('INSERT INTO events (id, body) VALUES (?, ?)', [event.id, event.body], { prepare: true });
          },
        });
      }
    `,
      errors: [{ messageId: 'floatingWrite', line: 11, column: 14 }],
    },
    {
      name: 'an async forEach in eachBatch',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'archive' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            batch.messages.forEach(async (m) => {
              await client.execute('INSERT INTO events (id, body) VALUES (?, ?)', [m.key?.toString(), m.value?.toString()], { prepare: true });
            });
          },
        });
      }
    `,
      errors: [{ messageId: 'asyncForEach', line: 10, column: 22 }],
    },
    {
      name: 'resolveOffset before the batch write',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'archive' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            const rows = batch.messages.map((m) => ({ query: 'INSERT INTO events (id, body) VALUES (?, ?)', params: [m.key?.toString(), m.value?.toString()] }));
            for (const m of batch.messages) resolveOffset(m.offset);
            await heartbeat();
            await client.batch(rows, { prepare: true });
          },
        });
      }
    `,
      errors: [{ messageId: 'offsetBeforeWrite', line: 12, column: 39 }],
    },
    {
      name: "kafka-node's timer commit (autoCommit on by default) never waits for the listener's write",
      code: code`
      import { ConsumerGroup } from 'kafka-node';
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      const consumer = new ConsumerGroup({ kafkaHost: '127.0.0.1:9092', groupId: 'orders', autoCommitIntervalMs: 1000 }, ['orders']);

      consumer.on('message', async (message) => {
        const order = JSON.parse(String(message.value));
        await client.execute('INSERT INTO shop.orders (id, total) VALUES (?, ?)', [order.id, order.total], { prepare: true });
      });
    `,
      errors: [{ messageId: 'timerCommit', line: 9, column: 16 }],
    },
    {
      name: 'older CommonJS: `var Consumer = kafka.Consumer, consumer = new Consumer(\u2026)`',
      extension: 'js',
      code: code`
      var kafka = require('kafka-node');
      var cassandra = require('cassandra-driver');
      var client = new cassandra.Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      var Consumer = kafka.Consumer,
        consumer = new Consumer(new kafka.KafkaClient(), [{ topic: 'coordinates' }], { autoCommit: true });

      consumer.on('message', function (message) {
        client.execute('INSERT INTO t (id) VALUES (?)', [message.key]).catch(function (e) { console.error(e); });
      });
    `,
      errors: [{ messageId: 'timerCommit', line: 8, column: 10 }],
    },
    {
      name: "a write whose failure the promise's .catch hands to a logger's method: the handler resolves, the offset is committed",
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const log = { error: (...parts: unknown[]) => console.error('[refunds]', ...parts) };
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'refunds' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            const r = JSON.parse(String(message.value)) as { id: string; cents: number };
            await client.execute('UPDATE pay.refunds SET cents = ? WHERE id = ?', [r.cents, r.id], { prepare: true }).catch(log.error);
          },
        });
      }
    `,
      errors: [{ messageId: 'swallowedFailure', line: 12, column: 113, message: /line 12/ }],
    },
    {
      name: 'a returned write whose .catch arrow only warns',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'refunds' });

      export async function start(): Promise<void> {
        await consumer.run({
          eachMessage: ({ message }) =>
            client
              .execute('INSERT INTO pay.refund_log (id, body) VALUES (?, ?)', [String(message.key), String(message.value)], { prepare: true })
              .then(() => undefined)
              .catch((err: unknown) => console.warn('refund log write failed', message.offset, err)),
        });
      }
    `,
      errors: [{ messageId: 'swallowedFailure', line: 13, column: 10 }],
    },
  ],
});
