import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { setTimeout as sleep } from 'node:timers/promises';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });`;

/**
 * A hedge written in place, with no wrapper taking the task (unseen round 10, c09): `Promise.race([send(),
 * sleep(150).then(send)])` runs the local `send` twice when the first is slow, so a counter update lands twice.
 * A race of the write against a timer, and a hedge of a read, send the update once.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a race of one send against a timer',
      code: code`${setUp}
      export async function award(userId: string, n: number) {
        const send = () => client.execute('UPDATE points SET points = points + ? WHERE user_id = ?', [n, userId], { prepare: true });
        return Promise.race([send(), sleep(150)]);
      }
    `,
    },
    {
      name: 'a hedged read, and the counter update after it sent once',
      code: code`${setUp}
      export async function award(userId: string, n: number) {
        const read = () => client.execute('SELECT level FROM users WHERE user_id = ?', [userId], { prepare: true });
        const rs = await Promise.any([read(), sleep(50).then(read)]);
        const factor = Number(rs.first()?.['level'] ?? 1);
        await client.execute('UPDATE points SET points = points + ? WHERE user_id = ?', [n * factor, userId], { prepare: true });
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'Promise.race of a local send and the same send after a delay',
      code: code`${setUp}
      export async function award(userId: string, n: number) {
        const send = () => client.execute('UPDATE points SET points = points + ? WHERE user_id = ?', [n, userId], { prepare: true });
        return Promise.race([send(), sleep(150).then(send)]);
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 7, column: 35, message: /Promise\.race/ }],
    },
    {
      name: 'Promise.any of a local function declaration called twice',
      code: code`${setUp}
      export async function award(userId: string, n: number) {
        async function send() {
          await client.execute('UPDATE points SET points = points + ? WHERE user_id = ?', [n, userId], { prepare: true });
        }
        await Promise.any([send(), sleep(100).then(() => send())]);
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 8, column: 24, message: /Promise\.any/ }],
    },
  ],
});
