import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const BUMP = 'UPDATE web.hits SET n = n + 1 WHERE page = ?';`;

/**
 * Round 9 of unseen driver code (issue 15, U9D): shapes the lint did not read. Each invalid case failed
 * before its fix (checked by stashing it); each valid one is its look-alike that stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a symbol-keyed method that writes a whole total, picked by its symbol from eachMessage',
      code: code`${setUp}
      const SAVE = Symbol('save');
      class Projector {
        async [SAVE](page: string, n: number) {
          await client.execute('UPDATE web.totals SET n = ? WHERE page = ?', [n, page], { prepare: true });
        }
        async onMessage(page: string, n: number) {
          await this[SAVE](page, n);
        }
      }
      const projector = new Projector();
      export const start = () => consumer.run({ eachMessage: ({ message }) => projector.onMessage(String(message.key), 1) });
    `,
    },
    {
      name: 'a method named by a key of literal names that no handler reaches: a counter sent once',
      code: code`${setUp}
      class Engagement {
        async view(id: string) {
          await client.execute('UPDATE web.engagement SET views = views + 1 WHERE id = ?', [id], { prepare: true });
        }
        async handle(kind: 'view', id: string) {
          await this[kind](id);
        }
      }
      export const engagement = new Engagement();
    `,
    },
    {
      name: "a BullMQ processor that writes a whole value keyed by the job's data: a rerun overwrites",
      code: code`${setUp}
      import { Worker } from 'bullmq';
      export const worker = new Worker<{ page: string; n: number }>('totals', async (job) => {
        await client.execute('UPDATE web.totals SET n = ? WHERE page = ?', [job.data.n, job.data.page], { prepare: true });
      });
    `,
    },
    {
      name: 'a Worker of another package is no job queue',
      code: code`${setUp}
      import { Worker } from './threads.ts';
      export const worker = new Worker('hits', async (page: string) => {
        await client.execute(BUMP, [page], { prepare: true });
      });
    `,
    },
    {
      name: 'a static field given a whole-value upsert in its static block',
      code: code`${setUp}
      class Cql {
        static SET_TOTAL: string;
        static {
          Cql.SET_TOTAL = 'UPDATE web.totals SET n = ? WHERE page = ?';
        }
      }
      export const start = () =>
        consumer.run({ eachMessage: async ({ message }) => void (await client.execute(Cql.SET_TOTAL, [1, String(message.key)])) });
    `,
    },
    {
      name: 'a retried batch of whole-value upserts built with flatMap',
      code: code`${setUp}
      import pRetry from 'p-retry';
      export const flush = (tallies: { sku: string; store: string; units: number }[]) =>
        pRetry(() =>
          client.batch(
            tallies.flatMap((t) => [
              { query: 'UPDATE web.by_sku SET units = ? WHERE sku = ?', params: [t.units, t.sku] },
              { query: 'UPDATE web.by_store SET units = ? WHERE store = ?', params: [t.units, t.store] },
            ]),
            { prepare: true },
          ),
        );
    `,
    },
    {
      name: 'a cockatiel policy held by a field retries a whole-value upsert',
      code: code`${setUp}
      import { ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
      export class Likes {
        private readonly resilience = wrap(
          retry(handleAll, { maxAttempts: 4, backoff: new ExponentialBackoff() }),
          timeout(2_000, TimeoutStrategy.Aggressive),
        );
        save(post: string, likes: number) {
          return this.resilience.execute(() => client.execute('UPDATE web.likes SET n = ? WHERE post = ?', [likes, post]));
        }
      }
    `,
    },
    {
      name: 'an opossum breaker whose fallback answers without sending again',
      code: code`${setUp}
      import CircuitBreaker from 'opossum';
      async function sendPoints(player: string) {
        await client.execute(BUMP, [player], { prepare: true });
        return { queued: false };
      }
      const breaker = new CircuitBreaker(sendPoints, { timeout: 800 });
      breaker.fallback(() => ({ queued: false }));
      export const award = (player: string) => breaker.fire(player);
    `,
    },
  ],
  invalid: [
    {
      name: 'a symbol-keyed method picked by its symbol (this[BUMP]) from a method eachMessage calls',
      code: code`${setUp}
      const BUMPS = Symbol('bump');
      class DownloadCounter {
        async [BUMPS](page: string) {
          await client.execute(BUMP, [page], { prepare: true });
        }
        async onMessage(page: string) {
          await this[BUMPS](page);
        }
      }
      const counter = new DownloadCounter();
      export const start = () => consumer.run({ eachMessage: ({ message }) => counter.onMessage(String(message.key)) });
    `,
      errors: [{ messageId: 'consumerCallback', line: 11, column: 24 }],
    },
    {
      name: 'a getter that returns the function sending the counter, called from eachMessage',
      code: code`${setUp}
      class Counters {
        get bump(): (page: string) => Promise<unknown> {
          return (page) => client.execute(BUMP, [page], { prepare: true });
        }
      }
      const counters = new Counters();
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await counters.bump(String(message.key));
          },
        });
    `,
      errors: [{ messageId: 'consumerCallback', line: 10, column: 35 }],
    },
    {
      name: 'methods picked by a key typed as a union of their names (this[kind]): each one it may name',
      code: code`${setUp}
      class Engagement {
        async view(id: string) {
          await client.execute('UPDATE web.engagement SET views = views + 1 WHERE id = ?', [id], { prepare: true });
        }
        async share(id: string) {
          await client.execute('UPDATE web.engagement SET shares = shares + 1 WHERE id = ?', [id], { prepare: true });
        }
        async handle(kind: 'view' | 'share', id: string) {
          await this[kind](id);
        }
      }
      const engagement = new Engagement();
      export const start = () =>
        consumer.run({ eachMessage: ({ message }) => engagement.handle(message.key ? 'view' : 'share', String(message.value)) });
    `,
      errors: [
        { messageId: 'consumerCallback', line: 10, column: 24 },
        { messageId: 'consumerCallback', line: 13, column: 24 },
      ],
    },
    {
      name: 'a counter in a BullMQ Worker processor: a failed (attempts) or stalled job runs again',
      code: code`${setUp}
      import { Worker } from 'bullmq';
      export const worker = new Worker<{ page: string }>('hits', async (job) => {
        await client.execute(BUMP, [job.data.page], { prepare: true });
      });
    `,
      errors: [{ messageId: 'retryHelper', line: 10, column: 22 }],
    },
    {
      name: "a counter in a Bull queue's process() callback, through a helper",
      code: code`${setUp}
      import Queue from 'bull';
      const hits = new Queue('hits');
      async function countHit(page: string) {
        await client.execute(BUMP, [page], { prepare: true });
      }
      hits.process(5, (job) => countHit(job.data.page));
    `,
      errors: [{ messageId: 'retryHelper', line: 11, column: 22 }],
    },
    {
      name: 'counter CQL assigned to a static field in its class static block',
      code: code`${setUp}
      class Cql {
        static ADD: string;
        static {
          const table = 'web.clicks';
          Cql.ADD = \`UPDATE \${table} SET n = n + 1 WHERE ad = ?\`;
        }
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(Cql.ADD, [String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 18, column: 26 }],
    },
    {
      name: 'counter CQL exported from a namespace',
      code: code`${setUp}
      namespace Queries {
        export const ADD_SALE = 'UPDATE web.sales SET units = units + ? WHERE sku = ?';
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(Queries.ADD_SALE, [1, String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 26 }],
    },
    {
      name: 'a retried counter batch whose statements a flatMap callback returns as an array',
      code: code`${setUp}
      import pRetry from 'p-retry';
      export async function flush(tallies: { sku: string; store: string; units: number }[]) {
        const queries = tallies.flatMap((t) => [
          { query: 'UPDATE web.by_sku SET units = units + ? WHERE sku = ?', params: [t.units, t.sku] },
          { query: 'UPDATE web.by_store SET units = units + ? WHERE store = ?', params: [t.units, t.store] },
        ]);
        await pRetry(() => client.batch(queries, { prepare: true, counter: true }), { retries: 3 });
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 14, column: 35 }],
    },
    {
      name: 'a cockatiel policy (retry wrapped with a timeout) held by a field runs a counter again',
      code: code`${setUp}
      import { ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
      export class Likes {
        private readonly resilience = wrap(
          retry(handleAll, { maxAttempts: 4, backoff: new ExponentialBackoff() }),
          timeout(2_000, TimeoutStrategy.Aggressive),
        );
        like(post: string) {
          return this.resilience.execute(() => client.execute(BUMP, [post], { prepare: true }));
        }
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 15, column: 55 }],
    },
    {
      name: "an opossum breaker's fallback that calls the wrapped counter write again",
      code: code`${setUp}
      import CircuitBreaker from 'opossum';
      async function sendPoints(player: string) {
        await client.execute(BUMP, [player], { prepare: true });
      }
      const breaker = new CircuitBreaker(sendPoints, { timeout: 800 });
      breaker.fallback((player: string) => sendPoints(player));
      export const award = (player: string) => breaker.fire(player);
    `,
      errors: [{ messageId: 'retryHelper', line: 10, column: 22 }],
    },
  ],
});
