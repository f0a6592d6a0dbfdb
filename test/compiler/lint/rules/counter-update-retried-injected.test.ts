import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const policy = `
import type { Client } from 'cassandra-driver';

export interface RetryPolicy {
  run<T>(operation: () => Promise<T>): Promise<T>;
}

export class Backoff implements RetryPolicy {
  async run<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (err) {
        if (attempt >= 4) throw err;
      }
    }
  }
}`;

/**
 * Dependency injection (unseen round 8, U8D: b10; and a MongoDB \`$inc\` after a callback): a retry policy
 * given through an interface is the one class of the program that implements it, and an update document
 * whose \`$inc\` follows a callback (\`tags.map(() => …)\`) is read past the callback. Each invalid case
 * failed before the fix.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'an injected retry policy around a whole-value upsert',
      code: code`${policy}
      export class Likes {
        constructor(private readonly client: Client, private readonly retries: RetryPolicy) {}
        set(video: string, n: number) {
          return this.retries.run(() => this.client.execute('UPDATE likes SET n = ? WHERE video = ?', [n, video]));
        }
      }
    `,
    },
    {
      name: 'two classes implement the interface: which one the field holds is not guessed',
      code: code`${policy}
      export class Once implements RetryPolicy {
        run<T>(operation: () => Promise<T>): Promise<T> {
          return operation();
        }
      }
      export class Likes {
        constructor(private readonly client: Client, private readonly retries: RetryPolicy) {}
        like(video: string) {
          return this.retries.run(() => this.client.execute('UPDATE likes SET n = n + 1 WHERE video = ?', [video]));
        }
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'a counter update handed to a retry policy injected through its interface',
      code: code`${policy}
      export class Likes {
        constructor(private readonly client: Client, private readonly retries: RetryPolicy) {}
        like(video: string) {
          return this.retries.run(() => this.client.execute('UPDATE likes SET n = n + 1 WHERE video = ?', [video]));
        }
      }
    `,
      errors: [{ messageId: 'retryHelper', line: 22, column: 53 }],
    },
    {
      name: 'a MongoDB $inc written after a callback in the same update document, in eachMessage',
      code: code`
      import { MongoClient } from 'mongodb';
      import type { Consumer } from 'kafkajs';

      const pages = new MongoClient('mongodb://127.0.0.1').db('web').collection('pages');
      export async function count(consumer: Consumer): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            const tags = String(message.value).split(',');
            await pages.updateOne(
              { _id: String(message.key) as never },
              { $set: { tags: tags.map((t) => t.trim()) }, $inc: { views: 1 } },
            );
          },
        });
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 9, column: 19 }],
    },
  ],
});
