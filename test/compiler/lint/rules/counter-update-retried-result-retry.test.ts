import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });

async function tryAdd(user: string, amount: number): Promise<boolean> {
  try {
    await client.execute('UPDATE balances SET amount = amount + ? WHERE user_id = ?', [amount, user]);
    return true;
  } catch (err) {
    console.warn('add failed', err);
    return false;
  }
}`;

/**
 * Round 11 of unseen driver code (U11D f06): a function that ends its own failure and reports it by its result
 * (`catch { return false }`), called in a loop that goes round until it says it worked, is a retry. Both
 * invalid cases failed before the fix (stash); the same function called once per item, and a polling loop
 * whose function rethrows, stay clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'each user once; failures collected, not resent',
      code: code`${setUp}
      export async function credit(users: string[], amount: number) {
        const failed: string[] = [];
        for (const user of users) if (!(await tryAdd(user, amount))) failed.push(user);
        return failed;
      }
    `,
    },
    {
      name: 'a loop until a function that rethrows says it is done: a failure ends the loop',
      code: code`${setUp}
      async function addNext(queue: string[]): Promise<boolean> {
        const user = queue.shift();
        if (!user) return true;
        try {
          await client.execute('UPDATE balances SET amount = amount + 1 WHERE user_id = ?', [user]);
        } catch (err) {
          console.warn(err);
          throw err;
        }
        return false;
      }
      export async function drain(queue: string[]) {
        let done = false;
        while (!done) done = await addNext(queue);
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'while (!ok) ok = await tryAdd(…)',
      code: code`${setUp}
      export async function credit(user: string, amount: number) {
        let ok = false;
        let tries = 0;
        while (!ok && tries++ < 5) ok = await tryAdd(user, amount);
      }
    `,
      errors: [{ messageId: 'retriedCaller', line: 8, column: 18 }],
    },
    {
      name: 'if (await tryAdd(…)) break; in a counting loop',
      code: code`${setUp}
      export async function credit(user: string, amount: number) {
        for (let attempt = 0; attempt < 5; attempt++) {
          if (await tryAdd(user, amount)) break;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    `,
      errors: [{ messageId: 'retriedCaller', line: 8, column: 18 }],
    },
  ],
});
