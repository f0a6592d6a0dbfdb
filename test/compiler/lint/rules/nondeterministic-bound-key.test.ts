import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/** Primary-key columns bound to the clock or randomness where the code can run twice for the same input. */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'executeConcurrent rows made by .map from message fields only',
      code: code`
      import { concurrent, type Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      const schema = 'CREATE TABLE iot.points (device text, at timestamp, body text, PRIMARY KEY (device, at))';

      export async function land(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            await concurrent.executeConcurrent(
              client,
              'INSERT INTO iot.points (device, at, body) VALUES (?, ?, ?)',
              batch.messages.map((m) => [String(m.key), new Date(Number(m.timestamp)), String(m.value)]),
            );
          },
        });
      }
    `,
    },
    {
      name: 'new Date() for logging and a value column; the key is the sensor id',
      code: code`
      import { Client } from 'cassandra-driver';

      export const ddl = 'CREATE TABLE metrics.latest (sensor_id text PRIMARY KEY, value double, updated_at timestamp)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // new Date() for logging and for a value column: the key stays the sensor id, so a retry overwrites.
      export async function latest(sensorId: string, value: number): Promise<void> {
        console.log(new Date().toISOString(), 'saving', sensorId);
        await client.execute('INSERT INTO metrics.latest (sensor_id, value, updated_at) VALUES (?, ?, ?)', [sensorId, value, new Date()], { prepare: true });
      }
    `,
    },
    {
      name: 'a fresh id made once before execute, nothing around it runs twice',
      code: code`
      import { Client, types } from 'cassandra-driver';

      export const ddl = 'CREATE TABLE shop.carts (cart_id uuid PRIMARY KEY, owner text, created timestamp)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1', queryOptions: { isIdempotent: true } });

      // A new cart gets a new id once, before execute: the driver's retries resend the same bound id,
      // and nothing here runs twice for the same input (no handler, no retry around it).
      export async function createCart(owner: string): Promise<types.Uuid> {
        const id = types.Uuid.random();
        await client.execute('INSERT INTO shop.carts (cart_id, owner, created) VALUES (?, ?, ?)', [id, owner, new Date()], { prepare: true });
        return id;
      }

      export async function seed(): Promise<void> {
        await client.execute('INSERT INTO shop.carts (cart_id, owner, created) VALUES (?, ?, ?)', [types.Uuid.random(), 'test', new Date()], { prepare: true });
      }
    `,
    },
    {
      name: 'an id made once outside the retry wrapper',
      code: code`
      import { Client, types } from 'cassandra-driver';
      import pRetry from 'p-retry';

      export const ddl = 'CREATE TABLE shop.payments (payment_id uuid PRIMARY KEY, amount decimal)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // The id is made once, outside the retry: every attempt writes the same row.
      export async function pay(amount: number): Promise<types.Uuid> {
        const paymentId = types.Uuid.random();
        await pRetry(() => client.execute('INSERT INTO shop.payments (payment_id, amount) VALUES (?, ?)', [paymentId, amount], { prepare: true }), { retries: 5 });
        return paymentId;
      }
    `,
    },
    {
      name: 'a clock injected through a constructor default, written only to a value column',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      export const ddl = 'CREATE TABLE fleet.positions (truck text, at bigint, seen_at timestamp, PRIMARY KEY (truck, at))';

      export class Positions {
        constructor(
          private readonly client: Client,
          private readonly now: () => number = Date.now,
        ) {}

        // The key is the truck and the event's own time; the injected clock only says when we saw it.
        async save(p: { truck: string; at: number }): Promise<void> {
          await this.client.execute('INSERT INTO fleet.positions (truck, at, seen_at) VALUES (?, ?, ?)', [p.truck, p.at, new Date(this.now())], { prepare: true });
        }
      }

      const positions = new Positions(new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' }));
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'fleet' });
      await consumer.run({ eachMessage: async ({ message }) => positions.save(JSON.parse(String(message.value))) });
    `,
    },
    {
      name: 'a generator over the records of the batch, made in the handler: a redelivery reads the same records again',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka, type KafkaMessage } from 'kafkajs';

      export const ddl = 'CREATE TABLE shipping.lines (order_id text, line_no int, sku text, PRIMARY KEY (order_id, line_no))';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'lines' });

      function* orderLines(messages: readonly KafkaMessage[]): Generator<{ orderId: string; lineNo: number; sku: string }> {
        for (const m of messages) yield JSON.parse(String(m.value)) as { orderId: string; lineNo: number; sku: string };
      }

      await consumer.run({
        eachBatch: async ({ batch }) => {
          const lines = orderLines(batch.messages);
          for (let i = 0; i < batch.messages.length; i++) {
            const line = lines.next().value;
            await client.execute('INSERT INTO shipping.lines (order_id, line_no, sku) VALUES (?, ?, ?)', [line.orderId, line.lineNo, line.sku], { prepare: true });
          }
        },
      });
    `,
    },
    {
      name: "an outer function's default id, made once per call before the retry: every attempt writes the same row",
      code: code`
      import { randomUUID } from 'node:crypto';
      import { Client } from 'cassandra-driver';
      import pRetry from 'p-retry';

      export const ddl = 'CREATE TABLE shop.refunds (refund_id uuid PRIMARY KEY, order_id text)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export function refund(orderId: string, refundId: string = randomUUID()) {
        return pRetry(() => client.execute('INSERT INTO shop.refunds (refund_id, order_id) VALUES (?, ?)', [refundId, orderId], { prepare: true }), { retries: 4 });
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'executeConcurrent rows made by .map with the clock in a key column, in eachBatch',
      code: code`
      import { concurrent, type Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      const schema = 'CREATE TABLE iot.points (device text, at timestamp, body text, PRIMARY KEY (device, at))';

      export async function land(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            await concurrent.executeConcurrent(
              client,
              'INSERT INTO iot.points (device, at, body) VALUES (?, ?, ?)',
              batch.messages.map((m) => [String(m.key), new Date(), String(m.value)]),
            );
          },
        });
      }
    `,
      errors: [{ messageId: 'boundParameter', line: 12, column: 51 }],
    },
    {
      name: 'CQL now() in the key, under a hand-written retry of the caller',
      code: code`
      import { Client } from 'cassandra-driver';

      export const schema = 'CREATE TABLE audit.events (id timeuuid PRIMARY KEY, actor text, action text)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function audit(actor: string, action: string): Promise<void> {
        await client.execute('INSERT INTO audit.events (id, actor, action) VALUES (now(), ?, ?)', [actor, action], { prepare: true });
      }

      // A hand-written retry around the call: each attempt's now() is a new key.
      export async function auditWithRetry(actor: string, action: string): Promise<void> {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            return await audit(actor, action);
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    `,
      errors: [{ messageId: 'cqlFunction', line: 8, column: 24 }],
    },
    {
      name: 'uuidv4() bound to the UPDATE key, sent from a node-rdkafka callback',
      code: code`
      import { Client } from 'cassandra-driver';
      import { v4 as uuidv4 } from 'uuid';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function setStatus(status: string): Promise<void> {
        await client.execute('UPDATE orders SET status = ? WHERE order_id = ?', [status, uuidv4()], { prepare: true });
      }

      // node-rdkafka: each message is delivered at least once.
      export function listen(consumer: { on(event: 'data', cb: (m: { value: Buffer }) => void): void }): void {
        consumer.on('data', (m) => void setStatus(m.value.toString()));
      }
    `,
      errors: [{ messageId: 'boundParameter', line: 7, column: 84 }],
    },
    {
      name: 'a random id held in a variable, made inside the function p-retry calls again',
      code: code`
      import { Client, types } from 'cassandra-driver';

      export const ddl = 'CREATE TABLE shop.orders (order_id uuid, created date, total decimal, PRIMARY KEY (order_id))';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function place(total: number): Promise<void> {
        const id = types.Uuid.random();
        await client.execute('INSERT INTO shop.orders (order_id, created, total) VALUES (?, ?, ?)', [id, new Date(), total], { prepare: true });
      }

      import pRetry from 'p-retry';

      export const placeReliably = (total: number) => pRetry(() => place(total), { retries: 3 });
    `,
      errors: [{ messageId: 'viaVariable', line: 9, column: 96 }],
    },
    {
      name: 'CQL now() in a statement marked isIdempotent: the driver retries it',
      code: code`
      import { Client } from 'cassandra-driver';

      export const schema = 'CREATE TABLE audit.logins (id timeuuid PRIMARY KEY, user_id text)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // The driver retries statements marked idempotent, and the server evaluates now() again on each try.
      export async function login(userId: string): Promise<void> {
        await client.execute('INSERT INTO audit.logins (id, user_id) VALUES (now(), ?)', [userId], { prepare: true, isIdempotent: true });
      }
    `,
      errors: [{ messageId: 'cqlFunction', line: 9, column: 24 }],
    },
    {
      name: 'a clock injected as a constructor default (`now = Date.now`), truncated into the key column',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      export const ddl = 'CREATE TABLE fleet.pings (truck text, minute bigint, n int, PRIMARY KEY (truck, minute))';

      export class Pings {
        constructor(
          private readonly client: Client,
          private readonly now: () => number = Date.now,
        ) {}

        async save(truck: string, n: number): Promise<void> {
          const minute = Math.floor(this.now() / 60_000);
          await this.client.execute('INSERT INTO fleet.pings (truck, minute, n) VALUES (?, ?, ?)', [truck, minute, n], { prepare: true });
        }
      }

      // Nothing passes a clock: the default one is used.
      const pings = new Pings(new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' }));
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'fleet' });
      await consumer.run({ eachMessage: async ({ message }) => pings.save(String(message.key), 1) });
    `,
      errors: [
        { messageId: 'boundParameter', line: 14, column: 102, message: /Date\.now\(\) via `minute` → `this\.now\(\)`/ },
      ],
    },
    {
      name: 'a clock object of another shape injected by a parameter default, read as this.clock.today()',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      export const ddl = 'CREATE TABLE fleet.daily (truck text, day text, km int, PRIMARY KEY (truck, day))';

      interface Calendar {
        today(): string;
      }
      const wallCalendar: Calendar = { today: () => new Date().toISOString().slice(0, 10) };

      export class Daily {
        private readonly client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
        constructor(private readonly clock: Calendar = wallCalendar) {}

        async add(truck: string, km: number): Promise<void> {
          await this.client.execute('UPDATE fleet.daily SET km = ? WHERE truck = ? AND day = ?', [km, truck, this.clock.today()], { prepare: true });
        }
      }

      const daily = new Daily();
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'daily' });
      await consumer.run({ eachMessage: async ({ message }) => daily.add(String(message.key), Number(message.value)) });
    `,
      errors: [{ messageId: 'boundParameter', line: 16, column: 104, message: /new Date\(\)/ }],
    },
    {
      name: 'a key taken from a module-level generator: the next number on every call, a redelivery gets another',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      export const ddl = 'CREATE TABLE billing.invoices (invoice_no bigint PRIMARY KEY, order_id text)';

      function* counter(from: number): Generator<number, never> {
        for (let n = from; ; n++) yield n;
      }
      const invoiceNumbers = counter(50_000);

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'invoices' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const invoiceNo = invoiceNumbers.next().value;
          await client.execute('INSERT INTO billing.invoices (invoice_no, order_id) VALUES (?, ?)', [invoiceNo, String(message.key)], { prepare: true });
        },
      });
    `,
      errors: [{ messageId: 'boundParameter', line: 16, column: 96, message: /generator `invoiceNumbers`/ }],
    },
    {
      name: 'a default id of the function the retry calls again: each attempt makes a new one',
      code: code`
      import { randomUUID } from 'node:crypto';
      import { Client } from 'cassandra-driver';
      import pRetry from 'p-retry';

      export const ddl = 'CREATE TABLE shop.refunds (refund_id uuid PRIMARY KEY, order_id text)';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      const attempt = (orderId: string, refundId: string = randomUUID()) =>
        client.execute('INSERT INTO shop.refunds (refund_id, order_id) VALUES (?, ?)', [refundId, orderId], { prepare: true });

      export const refund = (orderId: string) => pRetry(() => attempt(orderId), { retries: 4 });
    `,
      errors: [{ messageId: 'boundParameter', line: 10, column: 83 }],
    },
  ],
});
