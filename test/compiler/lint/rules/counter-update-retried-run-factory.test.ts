import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/**
 * kafkajs run options a function of the program returns: `consumer.run(hitCounterConfig(db))`, the object written
 * out in the factory's `return` or held in a const it returns. Unseen round 10 (U10D) b11; the invalid cases failed
 * before (stash). A factory whose handler writes a whole total, or one that returns options without a handler, stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'run options from a factory whose eachMessage writes a whole total',
      code: code`
      import type { Client } from 'cassandra-driver';
      import type { Consumer, ConsumerRunConfig } from 'kafkajs';

      function totalsConfig(db: Client): ConsumerRunConfig {
        return {
          eachMessage: async ({ message }) => {
            await db.execute('UPDATE app.page_hits SET hits = ? WHERE page = ?', [Number(message.value), String(message.key)]);
          },
        };
      }
      export async function start(consumer: Consumer, db: Client): Promise<void> {
        await consumer.run(totalsConfig(db));
      }
    `,
    },
    {
      name: 'a factory of options without a handler; the counter runs once, outside any handler',
      code: code`
      import type { Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      function plainConfig() {
        return { autoCommit: false, partitionsConsumedConcurrently: 2 };
      }
      export async function start(consumer: Consumer, db: Client): Promise<void> {
        await db.execute('UPDATE app.starts SET n = n + 1 WHERE id = ?', ['consumer']);
        await consumer.run(plainConfig() as never);
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'consumer.run(hitCounterConfig(db)): the returned eachMessage adds to a counter',
      code: code`
      import type { Client } from 'cassandra-driver';
      import type { Consumer, ConsumerRunConfig } from 'kafkajs';

      function hitCounterConfig(db: Client): ConsumerRunConfig {
        return {
          partitionsConsumedConcurrently: 4,
          eachMessage: async ({ message }) => {
            await db.execute('UPDATE app.page_hits SET hits = hits + 1 WHERE page = ?', [String(message.key)]);
          },
        };
      }
      export async function start(consumer: Consumer, db: Client): Promise<void> {
        await consumer.run(hitCounterConfig(db));
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 8, column: 16 }],
    },
    {
      name: 'the factory returns a const holding the options',
      code: code`
      import type { Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      const makeOptions = (db: Client) => {
        const options = {
          eachMessage: async () => {
            await db.execute('UPDATE app.totals SET n = n + 1 WHERE id = ?', ['all']);
          },
        };
        return options;
      };
      export async function start(consumer: Consumer, db: Client): Promise<void> {
        await consumer.run(makeOptions(db));
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 7, column: 16 }],
    },
  ],
});
