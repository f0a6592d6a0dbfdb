import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/** Primary-key columns bound to the clock or randomness where the code can run twice for the same input. */
sourceRuleTester(rule, {
  valid: [
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
  ],
  invalid: [
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
  ],
});
