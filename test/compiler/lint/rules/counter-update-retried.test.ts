import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/** Counter updates in driver code, each sent by something that may send it again, and the look-alikes that are safe. */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a batch of whole totals pushed in a loop, and a static readonly upsert, in eachBatch',
      code: code`
      import type { Consumer } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      class Cql {
        static readonly SET_TOTAL = 'UPDATE shop.totals SET total = ? WHERE sku = ?';
      }

      export async function totals(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            const queries: { query: string; params: unknown[] }[] = [];
            for (const m of batch.messages) queries.push({ query: Cql.SET_TOTAL, params: [Number(m.value), String(m.key)] });
            await client.batch(queries, { prepare: true });
          },
        });
      }
    `,
    },
    {
      name: 'a counter read inside a retry loop: reading twice is harmless',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // Reads a counter table inside a retry loop: reading twice is harmless.
      export async function visits(country: string): Promise<number> {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            const rs = await client.execute('SELECT visits FROM events_counts WHERE country = ?', [country], { prepare: true, isIdempotent: true });
            return Number(rs.first()?.get('visits') ?? 0);
          } catch {
            // try again
          }
        }
        return 0;
      }
    `,
    },
    {
      name: 'a whole aggregate written under p-retry: idempotent, so retrying it is right',
      code: code`
      import { Client } from 'cassandra-driver';
      import pRetry from 'p-retry';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // A whole aggregate keyed by (sensor, minute): idempotent, so retrying it is right.
      export async function saveMinute(sensor: string, minute: Date, n: number): Promise<void> {
        await pRetry(() => client.execute('UPDATE sensor_counts SET measurements = ? WHERE sensor_id = ? AND ts = ?', [n, sensor, minute], { prepare: true, isIdempotent: true }));
      }
    `,
    },
    {
      name: 'a counter sent once, never retried (IDEM002 territory, not this rule)',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // A counter sent once, never retried (undercounts on failure; a batch job corrects): not this rule's concern.
      export async function countOnce(country: string): Promise<void> {
        await client.execute('UPDATE events_counts SET visits = visits + 1 WHERE country = ?', [country], { prepare: true });
      }
    `,
    },
    {
      name: 'a loop whose failure handler logs and rethrows: the first failure ends the loop, nothing is sent again',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      function logAndRethrow(error: unknown): never {
        console.error('seat count failed', error);
        throw error;
      }

      // The loop goes round only after a success; a failure leaves it through the rethrow.
      export async function sellSeats(show: string, seats: number): Promise<void> {
        for (let sold = 0; sold < seats; sold++) {
          await client.execute('UPDATE box.sold SET seats = seats + 1 WHERE show = ?', [show], { prepare: true }).then(() => true, logAndRethrow);
        }
      }
    `,
    },
    {
      name: "a bound method registered as a consumer's 'data' callback that writes whole totals",
      code: code`
      import { Client } from 'cassandra-driver';

      class Totals {
        constructor(private readonly client: Client) {}

        async save(region: string, total: number): Promise<void> {
          await this.client.execute('UPDATE geo.region_totals SET total = ? WHERE region = ?', [total, region], { prepare: true });
        }
      }

      export class Feed {
        constructor(
          private readonly totals: Totals,
          private readonly consumer: { on(event: string, cb: (m: { value: Buffer }) => void): void },
        ) {}

        listen(): void {
          this.consumer.on('data', this.receive.bind(this));
        }

        private async receive(m: { value: Buffer }): Promise<void> {
          const r = JSON.parse(m.value.toString()) as { region: string; total: number };
          await this.totals.save(r.region, r.total);
        }
      }
    `,
    },
    {
      name: 'a counting loop whose counter picks the item: each turn sends another page once, a failure only logged',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function addAll(pages: readonly string[]): Promise<void> {
        for (let i = 0; i < pages.length; i++) {
          await client.execute('UPDATE web.hits SET n = n + 1 WHERE page = ?', [pages[i]], { prepare: true }).catch((e: unknown) => console.warn(e));
        }
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'counter statements pushed onto an array in a loop, then sent as one batch per Kafka batch',
      code: code`
      import type { Consumer } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      const ADD = 'UPDATE ads.clicks SET n = n + 1 WHERE campaign = ?';

      export async function clicks(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            const queries: { query: string; params: unknown[] }[] = [];
            for (const m of batch.messages) queries.push({ query: ADD, params: [String(m.key)] });
            await client.batch(queries, { prepare: true, counter: true });
          },
        });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 11, column: 20 }],
    },
    {
      name: 'counter CQL held by static readonly fields of a class, picked by a ternary',
      code: code`
      import type { Consumer } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      class Cql {
        static readonly LIKE = 'UPDATE social.likes SET n = n + 1 WHERE post = ?';
        static readonly UNLIKE = 'UPDATE social.likes SET n = n - 1 WHERE post = ?';
      }

      export async function likes(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            const like = String(message.value) === 'like';
            await client.execute(like ? Cql.LIKE : Cql.UNLIKE, [String(message.key)], { prepare: true });
          },
        });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 13, column: 20 }],
    },
    {
      name: 'the client makes every query idempotent by default',
      code: code`
      import cassandra from 'cassandra-driver';

      // Every query idempotent by default: the driver may now retry the counter update below.
      const client = new cassandra.Client({
        contactPoints: ['127.0.0.1'],
        localDataCenter: 'datacenter1',
        queryOptions: { isIdempotent: true, consistency: cassandra.types.consistencies.localQuorum },
      });

      const INCREMENT = 'UPDATE page_hits SET hits = hits + 1 WHERE page = ?';

      export async function hit(page: string): Promise<void> {
        await client.execute(INCREMENT, [page], { prepare: true });
      }
    `,
      errors: [{ messageId: 'idempotentFlag', line: 13, column: 16 }],
    },
    {
      name: 'a counter batch marked isIdempotent',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function record(page: string, user: string): Promise<void> {
        const queries = [
          { query: 'UPDATE stats.page_views SET views = views + 1 WHERE page = ?', params: [page] },
          { query: 'UPDATE stats.user_views SET views = views + 1 WHERE user_id = ?', params: [user] },
        ];
        await client.batch(queries, { prepare: true, counter: true, isIdempotent: true });
      }
    `,
      errors: [{ messageId: 'idempotentFlag', line: 10, column: 16 }],
    },
    {
      name: 'inside p-retry',
      code: code`
      import { Client } from 'cassandra-driver';
      import pRetry from 'p-retry';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function addPurchase(shop: string, amount: number): Promise<void> {
        await pRetry(() => client.execute('UPDATE shop.revenue SET cents = cents + ? WHERE shop = ?', [amount, shop], { prepare: true }), { retries: 5 });
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 7, column: 29 }],
    },
    {
      name: 'inside async-retry, the CQL in a template literal',
      code: code`
      import retry from 'async-retry';
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export async function like(postId: string): Promise<void> {
        await retry(
          async () => {
            await client.execute(\`UPDATE social.likes SET likes = likes + 1 WHERE post_id = ?\`, [postId], { prepare: true });
          },
          { retries: 3 },
        );
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 9, column: 20 }],
    },
    {
      name: "bluebird's promisified executeAsync in a kafkajs handler",
      code: code`
      import Promise from 'bluebird';
      import { Client } from 'cassandra-driver';
      const client = Promise.promisifyAll(new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' })) as any;
      import { Kafka } from 'kafkajs';
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
      export async function start() {
        await consumer.run({ eachMessage: async ({ message }) => {
          await client.executeAsync('UPDATE web.hits SET n = n + 1 WHERE page = ?', [String(message.key)], { prepare: true });
        } });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 8, column: 18 }],
    },
    {
      name: 'executeConcurrent over a kafkajs batch',
      code: code`
      import { Client, types } from 'cassandra-driver';
      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      import { Kafka } from 'kafkajs';
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });

      import { concurrent } from 'cassandra-driver';
      export async function start() {
        await consumer.run({ eachBatch: async ({ batch }) => {
          await concurrent.executeConcurrent(client, 'UPDATE web.hits SET n = n + 1 WHERE page = ?', batch.messages.map((m) => [String(m.key)]));
        } });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 9, column: 22 }],
    },
    {
      name: "a node-rdkafka 'data' callback",
      code: code`
      import { Client, types } from 'cassandra-driver';
      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });

      declare const consumer: { on(event: 'data', cb: (m: { key: Buffer; value: Buffer }) => void): void };
      consumer.on('data', async (m) => {
        await client.execute('UPDATE web.hits SET n = n + 1 WHERE page = ?', [m.key.toString()], { prepare: true });
      });
    `,
      errors: [{ messageId: 'consumerCallback', line: 6, column: 16 }],
    },
    {
      name: 'behind an IF NOT EXISTS de-dup row checked with wasApplied(): a note on the residual undercount',
      code: code`
      import { Client, types } from 'cassandra-driver';
      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      import { Kafka } from 'kafkajs';
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });

      // Category 5: an IF NOT EXISTS de-dup row by topic/partition/offset, checked before the counter update.
      export async function start() {
        await consumer.run({ eachMessage: async ({ topic, partition, message }) => {
          const seen = await client.execute('INSERT INTO web.seen (topic, part, off) VALUES (?, ?, ?) IF NOT EXISTS', [topic, partition, message.offset], { prepare: true });
          if (!seen.wasApplied()) return;
          await client.execute('UPDATE web.hits SET n = n + 1 WHERE page = ?', [String(message.key)], { prepare: true });
        } });
      }
    `,
      errors: [{ messageId: 'dedupGuarded', line: 11, column: 18, severity: 'note', message: /line 9 .*undercount/ }],
    },
    {
      name: 'a loop that turns a failure into false with .then(ok, fail) and sends the update again',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      // No try/catch: the promise's own failure handler ends the failure, and the while loop sends again.
      export async function reserveSeat(show: string): Promise<boolean> {
        let tries = 0;
        while (tries++ < 5) {
          const sent = await client
            .execute('UPDATE box.sold SET seats = seats + 1 WHERE show = ?', [show], { prepare: true })
            .then(() => true, () => false);
          if (sent) return true;
        }
        return false;
      }
    `,
      errors: [{ messageId: 'retryLoop', line: 10, column: 8, message: /line 8/ }],
    },
    {
      name: 'a loop whose .catch hands the failure to a function that only logs it',
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      function noteFailure(error: unknown): void {
        console.warn('bump failed, trying again', error);
      }

      // A failure resolves the chain to undefined: the loop goes round and sends the same update.
      export async function bumpStock(sku: string): Promise<void> {
        for (let attempt = 1; attempt <= 3; attempt++) {
          const done = await client.execute('UPDATE shop.stock SET reserved = reserved + 1 WHERE sku = ?', [sku], { prepare: true }).then(() => true).catch(noteFailure);
          if (done) return;
        }
      }
    `,
      errors: [{ messageId: 'retryLoop', line: 12, column: 31 }],
    },
    {
      name: "a method bound to its instance and registered as a consumer's 'data' callback calls a counter helper",
      code: code`
      import { Client } from 'cassandra-driver';

      class Tally {
        constructor(private readonly client: Client) {}

        async add(region: string): Promise<void> {
          await this.client.execute('UPDATE geo.region_hits SET hits = hits + 1 WHERE region = ?', [region], { prepare: true });
        }
      }

      export class Feed {
        constructor(
          private readonly tally: Tally,
          private readonly consumer: { on(event: string, cb: (m: { value: Buffer }) => void): void },
        ) {}

        listen(): void {
          this.consumer.on('data', this.receive.bind(this));
        }

        private async receive(m: { value: Buffer }): Promise<void> {
          await this.tally.add(m.value.toString());
        }
      }
    `,
      errors: [{ messageId: 'consumerCallback', line: 7, column: 23, message: /'data' callback/ }],
    },
    {
      name: "an arrow held by a field and registered by name as a consumer's 'message' callback",
      code: code`
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export class Clicks {
        constructor(private readonly consumer: { on(event: string, cb: (m: { key: Buffer }) => void): void }) {
          consumer.on('message', this.onMessage);
        }

        private readonly onMessage = async (m: { key: Buffer }): Promise<void> => {
          await client.execute('UPDATE web.clicks SET n = n + 1 WHERE page = ?', [m.key.toString()], { prepare: true });
        };
      }
    `,
      errors: [{ messageId: 'consumerCallback', line: 11, column: 18 }],
    },
  ],
});
