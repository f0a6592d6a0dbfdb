import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { EventEmitter } from 'node:events';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));`;

const hedge = `
function hedged<T>(task: () => Promise<T>, afterMs = 50): Promise<T> {
  return Promise.any([task(), sleep(afterMs).then(task)]);
}`;

/**
 * Writes sent again in shapes no retry loop has (unseen round 6, b04 b11 b12 b16; failed before): a hedge
 * that runs its callback twice at once, a reduce that chains `.catch(() => send())`, a retry wrapper held by an
 * arrow-function class field, and a failed job emitted again to the listener that sends it.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a hedged read, and the upsert after it sent once',
      code: code`${setUp}${hedge}
      export async function touch(id: string) {
        const rs = await hedged(() => client.execute('SELECT n FROM visits WHERE id = ?', [id]));
        await client.execute('UPDATE summary SET n = ? WHERE id = ?', [Number(rs.first()?.['n'] ?? 0), id]);
      }
    `,
    },
    {
      name: 'a wrapper that runs one of two callbacks, never both',
      code: code`${setUp}
      function either<T>(cached: boolean, task: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
        return cached ? task() : fallback();
      }
      export const like = (id: string) =>
        either(false, () => client.execute('UPDATE likes SET n = n + 1 WHERE id = ?', [id]), () => sleep(1));
    `,
    },
    {
      name: 'a reduce of catches around an upsert',
      code: code`${setUp}
      const setQuota = (tenant: string, used: number) =>
        client.execute('UPDATE quota SET used = ? WHERE tenant = ?', [used, tenant]);
      export const charge = (tenant: string, used: number) =>
        [200, 400].reduce(
          (attempt, backoff) => attempt.catch(() => sleep(backoff).then(() => setQuota(tenant, used))),
          setQuota(tenant, used),
        );
    `,
    },
    {
      name: 'an arrow-function field that logs a failure and throws it on',
      code: code`${setUp}
      class Logged {
        run = async <T>(op: () => Promise<T>): Promise<T> => {
          try {
            return await op();
          } catch (err) {
            console.error(err);
            throw err;
          }
        };
      }
      export class Wallet {
        private readonly logged = new Logged();
        credit = (id: string, cents: number) =>
          this.logged.run(() => client.execute('UPDATE wallet SET c = c + ? WHERE id = ?', [cents, id]));
      }
    `,
    },
    {
      name: 'a failed job emitted to a listener that only logs it',
      code: code`${setUp}
      export const jobs = new EventEmitter();
      jobs.on('run', async (job: { id: string; cents: number }) => {
        try {
          await client.execute('UPDATE spend SET c = c + ? WHERE id = ?', [job.cents, job.id]);
        } catch (err) {
          jobs.emit('failed', job, err);
        }
      });
      jobs.on('failed', (job: { id: string }) => console.error('spend lost', job.id));
    `,
    },
  ],
  invalid: [
    {
      name: 'a hedge: Promise.any of the task and the same task after a delay',
      code: code`${setUp}${hedge}
      export const like = (id: string) =>
        hedged(() => client.execute('UPDATE likes SET n = n + 1 WHERE id = ?', [id]));
    `,
      errors: [{ messageId: 'retryHelper', line: 11, column: 29, message: /hedged\(\).*a hedge/ }],
    },
    {
      name: 'a reduce that chains .catch(() => send()) onto the first send',
      code: code`${setUp}
      const addQuota = (tenant: string, used: number) =>
        client.execute('UPDATE quota SET used = used + ? WHERE tenant = ?', [used, tenant]);
      export const charge = (tenant: string, used: number) =>
        [200, 400].reduce(
          (attempt, backoff) => attempt.catch(() => sleep(backoff).then(() => addQuota(tenant, used))),
          addQuota(tenant, used),
        );
    `,
      errors: [
        {
          messageId: 'retriedCaller',
          line: 8,
          column: 16,
          message: /a resend, when the call of line 12 fails, through addQuota\(\) at line 11/,
        },
      ],
    },
    {
      name: 'a retry loop held by an arrow-function class field',
      code: code`${setUp}
      class Backoff {
        run = async <T>(op: () => Promise<T>): Promise<T> => {
          for (let i = 0; ; i++) {
            try {
              return await op();
            } catch (err) {
              if (i >= 3) throw err;
              await sleep(100 * 2 ** i);
            }
          }
        };
      }
      export class Wallet {
        private readonly backoff = new Backoff();
        credit = (id: string, cents: number) =>
          this.backoff.run(() => client.execute('UPDATE wallet SET c = c + ? WHERE id = ?', [cents, id]));
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 22, column: 41 }],
    },
    {
      name: "a failed job emitted on 'failed', whose listener emits it on 'run' again",
      code: code`${setUp}
      export const jobs = new EventEmitter();
      jobs.on('run', async (job: { id: string; cents: number; tries: number }) => {
        try {
          await client.execute('UPDATE spend SET c = c + ? WHERE id = ?', [job.cents, job.id]);
        } catch (err) {
          jobs.emit('failed', job, err);
        }
      });
      jobs.on('failed', (job: { id: string; cents: number; tries: number }) => {
        if (job.tries < 3) setTimeout(() => jobs.emit('run', { ...job, tries: job.tries + 1 }), 500);
      });
    `,
      errors: [{ messageId: 'retryRecursion', line: 10, column: 24 }],
    },
  ],
});
