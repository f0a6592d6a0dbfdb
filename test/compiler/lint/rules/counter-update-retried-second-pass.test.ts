import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ADD = 'UPDATE clicks SET n = n + ? WHERE id = ?';`;

const retryHelper = `
async function retryAsync<T>(task: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await task();
    } catch (e) {
      if (i >= attempts) throw e;
    }
  }
}`;

/**
 * Retries in shapes no loop around the write shows (unseen round 8, U8D b03 b04 b13 b17 b22; each failed
 * before): a second pass over what Promise.allSettled rejected, deltas kept for the next flush when the
 * write fails, a decorator that hands the method to a retry helper, `.catch(send)` by name, and a loop over
 * backoff delays whose call passes the attempt but that stops at the first success.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'allSettled twice over two different lists: the second does not read the first results',
      code: code`${setUp}
      const add = (id: string, n: number) => client.execute(ADD, [n, id], { prepare: true });
      export async function push(today: string[], late: string[]) {
        const first = await Promise.allSettled(today.map((id) => add(id, 1)));
        console.log(first.length);
        await Promise.allSettled(late.map((id) => add(id, 1)));
      }
    `,
    },
    {
      name: 'a flush that takes the deltas out before it writes: a failed write is lost, not resent',
      code: code`${setUp}
      const pending = new Map<string, number>();
      export async function flush(): Promise<void> {
        const snapshot = [...pending.entries()];
        pending.clear();
        try {
          await client.batch(snapshot.map(([id, n]) => ({ query: ADD, params: [n, id] })), { counter: true });
        } catch (err) {
          console.warn('lost', err);
        }
      }
      setInterval(() => void flush(), 5000);
    `,
    },
    {
      name: 'a decorator that hands the method to a logging helper that runs it once',
      code: code`${setUp}
      async function logged<T>(task: () => Promise<T>): Promise<T> {
        try {
          return await task();
        } catch (e) {
          console.error(e);
          throw e;
        }
      }
      function Logged() {
        return function (_t: object, _k: string, descriptor: PropertyDescriptor) {
          const original = descriptor.value as (...args: unknown[]) => Promise<unknown>;
          descriptor.value = function (this: unknown, ...args: unknown[]) {
            return logged(() => original.apply(this, args));
          };
          return descriptor;
        };
      }
      export class Ledger {
        @Logged()
        async add(id: string, n: number) {
          await client.execute(ADD, [n, id], { prepare: true });
        }
      }
    `,
    },
    {
      name: '.catch hands the failure to another function, which only logs it',
      code: code`${setUp}
      export async function apply(ids: string[]) {
        const report = (e: unknown) => console.error('credits failed', e);
        const applyAll = () => Promise.all(ids.map((id) => client.execute(ADD, [1, id], { prepare: true })));
        await applyAll().catch(report);
      }
    `,
    },
    {
      name: 'a loop over shards that writes each one (no stop at the first success)',
      code: code`${setUp}
      export async function spread(id: string) {
        for (const shard of [0, 1, 2, 3]) {
          try {
            await client.execute(ADD, [1, \`\${id}:\${shard}\`], { prepare: true });
          } catch (err) {
            console.warn(shard, err);
          }
        }
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'Promise.allSettled, then the rejected sent again',
      code: code`${setUp}
      const add = (id: string) => client.execute(ADD, [1, id], { prepare: true });
      export async function push(ids: string[]) {
        const first = await Promise.allSettled(ids.map((id) => add(id)));
        const rejected = ids.filter((_, i) => first[i]!.status === 'rejected');
        await Promise.allSettled(rejected.map((id) => add(id)));
      }
    `,
      errors: [
        {
          messageId: 'retriedCaller',
          line: 7,
          column: 42,
          message: /a resend, when the call of line 9 fails, through add\(\) at line 11/,
        },
      ],
    },
    {
      name: 'a timer flush that keeps the deltas when the batch fails',
      code: code`${setUp}
      const pending = new Map<string, number>();
      export async function flush(): Promise<void> {
        const snapshot = [...pending.entries()];
        try {
          await client.batch(snapshot.map(([id, n]) => ({ query: ADD, params: [n, id] })), { counter: true });
          for (const [id] of snapshot) pending.delete(id);
        } catch (err) {
          console.warn('will retry', err);
        }
      }
      setInterval(() => void flush(), 5000);
    `,
      errors: [{ messageId: 'keptOnFailure', line: 11, column: 24, message: /made from pending.*catch at line 13/ }],
    },
    {
      name: 'a decorator of the program that hands the method to a retry helper',
      code: code`${setUp}${retryHelper}
      function Retryable(attempts = 3) {
        return function (_t: object, _k: string, descriptor: PropertyDescriptor) {
          const original = descriptor.value as (...args: unknown[]) => Promise<unknown>;
          descriptor.value = function (this: unknown, ...args: unknown[]) {
            return retryAsync(() => original.apply(this, args), attempts);
          };
          return descriptor;
        };
      }
      export class Ledger {
        @Retryable(4)
        async add(id: string, n: number) {
          await client.execute(ADD, [n, id], { prepare: true });
        }
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 28, column: 24, message: /@Retryable\(\)/ }],
    },
    {
      name: '.catch(applyAll): the sending function handed to its own failure handler',
      code: code`${setUp}
      export async function apply(ids: string[]) {
        const applyAll = () => Promise.all(ids.map((id) => client.execute(ADD, [1, id], { prepare: true })));
        await applyAll().catch(applyAll);
      }
    `,
      errors: [{ messageId: 'retriedCaller', line: 8, column: 67, message: /through applyAll\(\) at line 9/ }],
    },
    {
      name: 'a for..of over backoff delays passing the attempt, stopping at the first success',
      code: code`${setUp}
      const BACKOFF_MS = [0, 100, 400];
      const add = (id: string, attempt: number) =>
        client.execute(ADD, [1, id], { prepare: true, customPayload: { attempt: Buffer.from(String(attempt)) } });
      export async function credit(id: string) {
        for (const [attempt, delay] of BACKOFF_MS.entries()) {
          await sleep(delay);
          try {
            await add(id, attempt);
            return;
          } catch (err) {
            console.warn(attempt, err);
          }
        }
      }
    `,
      errors: [
        { messageId: 'retriedCaller', line: 9, column: 16, message: /a retry loop \(line 11\), through add\(\)/ },
      ],
    },
  ],
});
