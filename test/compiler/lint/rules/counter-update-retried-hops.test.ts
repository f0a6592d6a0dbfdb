import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/**
 * Counter updates reached through a hop the call graph did not follow before
 * (issue 15, round 3 of unseen cases): an EventEmitter's emit → its
 * listeners, a `for await` over a Kafka stream, a retrying method decorator,
 * rxjs's retry operator; and a class of the program with Redis-like method
 * names, which the checker's types tell apart from Redis. Each with its
 * look-alike that stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a MongoDB update document of whole values built by a helper',
      code: code`
      import { MongoClient } from 'mongodb';
      import type { Consumer } from 'kafkajs';

      const daily = new MongoClient('mongodb://127.0.0.1').db('web').collection('daily');
      function hitOn(page: string) {
        return { $set: { ['hits.' + page]: 1 } };
      }
      export async function count(consumer: Consumer): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            await daily.updateOne({ _id: String(message.key) as never }, hitOn(String(message.value)), { upsert: true });
          },
        });
      }
    `,
    },
    {
      name: 'a tracing wrapper around a handler a factory made, whose write is a whole total',
      code: code`
      import type { Client } from 'cassandra-driver';
      import type { Consumer, EachMessagePayload } from 'kafkajs';

      function traced<A extends unknown[], R>(fn: (...a: A) => Promise<R>) {
        return async (...args: A): Promise<R> => fn(...args);
      }
      function projector(client: Client) {
        return async ({ message }: EachMessagePayload) => {
          await client.execute('UPDATE shop.sales SET sold = ? WHERE sku = ?', [Number(message.value), String(message.key)]);
        };
      }
      export async function start(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({ eachMessage: traced(projector(client)) });
      }
    `,
    },
    {
      name: 'an emitted event whose listener only logs and keeps a tally in memory',
      code: code`
      import { EventEmitter } from 'node:events';
      import { Kafka } from 'kafkajs';

      const signals = new EventEmitter();
      const seen = new Map<string, number>();
      signals.on('signup', (email: string) => {
        seen.set(email, (seen.get(email) ?? 0) + 1);
        console.info('signup', email);
      });

      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'signups' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          signals.emit('signup', String(message.value));
        },
      });
    `,
    },
    {
      name: 'a counter in the listener of an event that the handler never emits (another event name)',
      code: code`
      import { EventEmitter } from 'node:events';
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const hub = new EventEmitter();
      // Fired by an admin tool once a day, never by the consumer.
      hub.on('reindex', async (shard: string) => {
        await client.execute('UPDATE ops.reindex_runs SET runs = runs + 1 WHERE shard = ?', [shard], { prepare: true });
      });

      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'docs' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          hub.emit('indexed', String(message.key));
        },
      });
    `,
    },
    {
      name: 'a counter bumped once per line of a file read with for await (no redelivery, no retry)',
      code: code`
      import { createReadStream } from 'node:fs';
      import { createInterface } from 'node:readline';
      import { Client } from 'cassandra-driver';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const lines = createInterface({ input: createReadStream('/var/log/imports.log') });

      for await (const line of lines) {
        await client.execute('UPDATE ops.import_lines SET n = n + 1 WHERE day = ?', [line.slice(0, 10)], { prepare: true });
      }
    `,
    },
    {
      name: 'a method decorator that only times the call (no second attempt)',
      code: code`
      import type { Client } from 'cassandra-driver';

      function timed<A extends unknown[], R>(method: (...args: A) => Promise<R>, _context: ClassMethodDecoratorContext) {
        return async function (this: unknown, ...args: A): Promise<R> {
          const started = performance.now();
          try {
            return await method.apply(this, args);
          } finally {
            console.info('took', performance.now() - started);
          }
        };
      }

      export class Likes {
        constructor(private readonly client: Client) {}

        @timed
        async like(post: string): Promise<void> {
          await this.client.execute('UPDATE social.likes SET n = n + 1 WHERE post = ?', [post], { prepare: true });
        }
      }
    `,
    },
    {
      name: 'rxjs retry around a read, and around a promise made once (resubscribing does not send it again)',
      code: code`
      import { Client } from 'cassandra-driver';
      import { defer, from, lastValueFrom, retry } from 'rxjs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export function balanceOf(account: string) {
        return lastValueFrom(defer(() => client.execute('SELECT points FROM bank.points WHERE account = ?', [account], { prepare: true })).pipe(retry(2)));
      }

      export function credit(account: string) {
        const sent = client.execute('UPDATE bank.points SET points = points + 5 WHERE account = ?', [account], { prepare: true });
        return lastValueFrom(from(sent).pipe(retry(2)));
      }
    `,
    },
    {
      name: 'an in-process tally with Redis-like method names in a file that talks about Redis',
      code: code`
      import { Kafka } from 'kafkajs';

      // Counts in memory now; the plan is to move this to Redis (HINCRBY) later.
      class Tally {
        private readonly counts = new Map<string, number>();

        hincrby(hash: string, field: string, by: number): number {
          const n = (this.counts.get(hash + field) ?? 0) + by;
          this.counts.set(hash + field, n);
          return n;
        }
      }

      const tally = new Tally();
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'views' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          tally.hincrby('views', String(message.key), 1);
        },
      });
    `,
    },
    {
      name: "a library's decorator that says it traces, not retries",
      code: code`
      import type { Client } from 'cassandra-driver';
      import { Traced } from '@acme/tracing';

      export class Likes {
        constructor(private readonly client: Client) {}

        @Traced('likes')
        async like(post: string): Promise<void> {
          await this.client.execute('UPDATE social.likes SET n = n + 1 WHERE post = ?', [post], { prepare: true });
        }
      }
    `,
    },
    {
      name: "ioredis's generic call of a command that sets a whole value, and a bound helper that writes whole totals",
      code: code`
      import Redis from 'ioredis';
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const redis = new Redis();
      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      async function saveTotal(db: Client, player: string, total: number): Promise<void> {
        await db.execute('UPDATE game.totals SET total = ? WHERE player = ?', [total, player], { prepare: true });
      }
      const save = saveTotal.bind(undefined, client);
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'totals' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const { player, total } = JSON.parse(String(message.value)) as { player: string; total: number };
          await redis.call('HSET', 'totals', player, total);
          await save(player, total);
        },
      });
    `,
    },
    {
      name: 'a set union and a map put (the schema says set and map): adding an element twice changes nothing',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      await client.execute('CREATE TABLE IF NOT EXISTS crm.labels (customer text PRIMARY KEY, labels set<text>, props frozen<map<text, text>>)');
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'labels' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await client.execute('UPDATE crm.labels SET labels = labels + ?, props = props + ? WHERE customer = ?', [[String(message.value)], { src: 'kafka' }, String(message.key)], { prepare: true });
        },
      });
    `,
    },
  ],
  invalid: [
    {
      name: 'a MongoDB $inc document built by a helper, applied in eachMessage',
      code: code`
      import { MongoClient } from 'mongodb';
      import type { Consumer } from 'kafkajs';

      const daily = new MongoClient('mongodb://127.0.0.1').db('web').collection('daily');
      function hitOn(page: string) {
        return { $inc: { ['hits.' + page]: 1 } };
      }
      export async function count(consumer: Consumer): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            await daily.updateOne({ _id: String(message.key) as never }, hitOn(String(message.value)), { upsert: true });
          },
        });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 11, column: 19 }],
    },
    {
      name: 'a counter in a handler a factory made, handed to a tracing wrapper (eachMessage: traced(projector(client)))',
      code: code`
      import type { Client } from 'cassandra-driver';
      import type { Consumer, EachMessagePayload } from 'kafkajs';

      function traced<A extends unknown[], R>(fn: (...a: A) => Promise<R>) {
        return async (...args: A): Promise<R> => fn(...args);
      }
      function projector(client: Client) {
        return async ({ message }: EachMessagePayload) => {
          await client.execute('UPDATE shop.sales SET sold = sold + 1 WHERE sku = ?', [String(message.key)]);
        };
      }
      export async function start(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({ eachMessage: traced(projector(client)) });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 9, column: 18, message: /traced/ }],
    },
    {
      name: 'a counter in a listener that the kafkajs handler fires with emit on the same emitter',
      code: code`
      import { EventEmitter } from 'node:events';
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const signals = new EventEmitter();
      signals.once('signup', async (email: string) => {
        await client.execute('UPDATE crm.signups SET n = n + 1 WHERE domain = ?', [email.split('@')[1]], { prepare: true });
      });

      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'signups' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          signals.emit('signup', String(message.value));
        },
      });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 8, column: 16, message: /signals\.emit/ }],
    },
    {
      name: "a counter in a listener registered with this.addListener in an emitter subclass's constructor",
      code: code`
      import { EventEmitter } from 'node:events';
      import type { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const RECEIVED = 'received';

      class Ledger extends EventEmitter {
        constructor(private readonly client: Client) {
          super();
          this.addListener(RECEIVED, (account: string) => this.bump(account));
        }

        private async bump(account: string): Promise<void> {
          await this.client.execute('UPDATE bank.deposits SET n = n + 1 WHERE account = ?', [account], { prepare: true });
        }
      }

      export function start(client: Client): Promise<void> {
        const ledger = new Ledger(client);
        const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'deposits' });
        return consumer.run({
          eachMessage: async ({ message }) => {
            ledger.emit(RECEIVED, String(message.key));
          },
        });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 23 }],
    },
    {
      name: 'a counter in the body of a for await over a node-rdkafka read stream',
      code: code`
      import { Client } from 'cassandra-driver';
      import Kafka from 'node-rdkafka';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      const messages = Kafka.KafkaConsumer.createReadStream({ 'group.id': 'votes', 'metadata.broker.list': '127.0.0.1:9092' }, {}, { topics: ['votes'] });

      for await (const m of messages) {
        const poll = String(m.key);
        await client.execute('UPDATE polls.votes SET n = n + 1 WHERE poll = ?', [poll], { prepare: true });
      }
    `,
      errors: [{ messageId: 'consumerCallback', line: 9, column: 16, message: /for await/ }],
    },
    {
      name: 'a counter in a method whose decorator calls it again in a loop around try/catch',
      code: code`
      import type { Client } from 'cassandra-driver';

      function persistent(attempts: number) {
        return function <A extends unknown[], R>(method: (...args: A) => Promise<R>, _context: ClassMethodDecoratorContext) {
          return async function (this: unknown, ...args: A): Promise<R> {
            for (let n = 1; ; n++) {
              try {
                return await method.apply(this, args);
              } catch (error) {
                if (n >= attempts) throw error;
              }
            }
          };
        };
      }

      export class Likes {
        constructor(private readonly client: Client) {}

        @persistent(4)
        async like(post: string): Promise<void> {
          await this.client.execute('UPDATE social.likes SET n = n + 1 WHERE post = ?', [post], { prepare: true });
        }
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 22, column: 23, message: /@persistent/ }],
    },
    {
      name: 'a counter in a method wrapped by a legacy (descriptor) decorator that retries descriptor.value',
      code: code`
      import type { Client } from 'cassandra-driver';

      function Retry(times: number) {
        return (_target: object, _key: string, descriptor: PropertyDescriptor) => {
          const original = descriptor.value;
          descriptor.value = async function (...args: unknown[]) {
            let last: unknown;
            for (let i = 0; i < times; i++) {
              try {
                return await original.call(this, ...args);
              } catch (error) {
                last = error;
              }
            }
            throw last;
          };
          return descriptor;
        };
      }

      export class Stock {
        constructor(private readonly client: Client) {}

        @Retry(3)
        async reserve(sku: string): Promise<void> {
          await this.client.execute('UPDATE shop.stock SET reserved = reserved + 1 WHERE sku = ?', [sku], { prepare: true });
        }
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 26, column: 23 }],
    },
    {
      name: 'a counter sent in defer(…) piped through rxjs retry (each resubscription sends it again)',
      code: code`
      import { Client } from 'cassandra-driver';
      import { defer, lastValueFrom, retry as again } from 'rxjs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      export function credit(account: string) {
        const send$ = defer(() => client.execute('UPDATE bank.points SET points = points + 5 WHERE account = ?', [account], { prepare: true }));
        return lastValueFrom(send$.pipe(again({ count: 2, delay: 100 })));
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 7, column: 36, message: /rxjs retry\(\)/ }],
    },
    {
      name: "a counter in a method decorated by a library's retry decorator (judged by its name: its body is not readable)",
      code: code`
      import type { Client } from 'cassandra-driver';
      import { Retryable } from 'typescript-retry-decorator';

      export class Stock {
        constructor(private readonly client: Client) {}

        @Retryable({ maxAttempts: 3 })
        async reserve(sku: string): Promise<void> {
          await this.client.execute('UPDATE shop.stock SET reserved = reserved + 1 WHERE sku = ?', [sku], { prepare: true });
        }
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 9, column: 23, message: /@Retryable\(\)/ }],
    },
    {
      name: 'a counter in _transform of a Transform subclass and in write of a Writable, fed by a Kafka read stream',
      code: code`
      import { Transform, Writable, pipeline } from 'node:stream';
      import { Client } from 'cassandra-driver';
      import Kafka from 'node-rdkafka';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

      class Tally extends Transform {
        override _transform(m: { key: Buffer }, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
          client.execute('UPDATE polls.seen SET n = n + 1 WHERE poll = ?', [String(m.key)], { prepare: true }).then(() => done(), done);
        }
      }

      const sink = new Writable({
        objectMode: true,
        write(m: { key: Buffer }, _enc, done) {
          client.execute('UPDATE polls.votes SET n = n + 1 WHERE poll = ?', [String(m.key)], { prepare: true }).then(() => done(), done);
        },
      });

      const source = Kafka.KafkaConsumer.createReadStream({ 'group.id': 'votes', 'metadata.broker.list': '127.0.0.1:9092' }, {}, { topics: ['votes'] });
      pipeline(source, new Tally({ objectMode: true }), sink, () => {});
    `,
      errors: [
        { messageId: 'consumerCallback', line: 9, column: 12, message: /Transform step/ },
        { messageId: 'consumerCallback', line: 16, column: 12, message: /Writable step/ },
      ],
    },
    {
      name: "Redis HINCRBY through ioredis's generic call(), from a kafkajs handler",
      code: code`
      import Redis from 'ioredis';
      import { Kafka } from 'kafkajs';

      const redis = new Redis();
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'searches' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await redis.call('HINCRBY', 'searches', String(message.key), 1);
        },
      });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 8, column: 17, message: /Redis HINCRBY/ }],
    },
    {
      name: 'a MongoDB $inc under a cast (`as never`), in a repository method called from a handler',
      code: code`
      import type { Collection, Document } from 'mongodb';
      import { Kafka } from 'kafkajs';

      class Repo<T extends Document> {
        constructor(private readonly col: Collection<T>) {}
        bump(id: string, field: keyof T & string) {
          return this.col.updateOne({ _id: id } as never, { $inc: { [field]: 1 } } as never);
        }
      }

      export function start(repo: Repo<{ _id: string; reads: number }>) {
        const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'reads' });
        return consumer.run({ eachMessage: async ({ message }) => { await repo.bump(String(message.key), 'reads'); } });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 7, column: 21 }],
    },
    {
      name: 'a counter helper partially applied with bind, called from the handler',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      async function addPoints(db: Client, player: string, points: number): Promise<void> {
        await db.execute('UPDATE game.points SET total = total + ? WHERE player = ?', [points, player], { prepare: true });
      }
      const award = addPoints.bind(undefined, client);
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'points' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await award(String(message.key), 10);
        },
      });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 6, column: 12, message: /award/ }],
    },
    {
      name: "a counter run through an opossum circuit breaker's fire() from the handler",
      code: code`
      import CircuitBreaker from 'opossum';
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      async function move(sku: string, delta: number): Promise<void> {
        await client.execute('UPDATE shop.moves SET moved = moved + ? WHERE sku = ?', [delta, sku], { prepare: true });
      }
      const breaker = new CircuitBreaker(move, { timeout: 2000 });
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'moves' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await breaker.fire(String(message.key), 1);
        },
      });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 7, column: 16, message: /fire/ }],
    },
    {
      name: 'a counter in the callback given to a handler factory (eachMessage: handlerFor(decode, apply))',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka, type EachMessageHandler } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      function handlerFor<T>(decode: (raw: string) => T, apply: (event: T) => Promise<void>): EachMessageHandler {
        return async ({ message }) => {
          await apply(decode(String(message.value)));
        };
      }
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'plays' });
      await consumer.run({
        eachMessage: handlerFor((raw) => JSON.parse(raw) as { track: string }, async (play) => {
          await client.execute('UPDATE music.plays SET n = n + 1 WHERE track = ?', [play.track], { prepare: true });
        }),
      });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 13, column: 18, message: /handlerFor/ }],
    },
    {
      name: 'a list append (the schema says list): a redelivery appends the element again',
      code: code`
      import { Client } from 'cassandra-driver';
      import { Kafka } from 'kafkajs';

      const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      await client.execute('CREATE TABLE IF NOT EXISTS crm.trail (customer text PRIMARY KEY, steps list<text>, labels set<text>)');
      const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'trail' });
      await consumer.run({
        eachMessage: async ({ message }) => {
          await client.execute('UPDATE crm.trail SET labels = labels + ?, steps = steps + ? WHERE customer = ?', [['seen'], [String(message.value)], String(message.key)], { prepare: true });
        },
      });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 9, column: 18, message: /trail\.steps/ }],
    },
  ],
});
