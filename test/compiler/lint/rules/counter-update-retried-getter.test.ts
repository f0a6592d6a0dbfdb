import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/**
 * Round 11 of unseen driver code (U11D c04): a getter that sends the counter runs where it is read
 * (`await stats.read` in eachMessage). The invalid case failed before the fix (stash); a getter that reads
 * the counter, read in the same handler, stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a getter that reads the counter',
      code: code`${setUp}
      class Stats {
        constructor(private readonly article: string) {}
        get reads() {
          return client.execute('SELECT reads FROM article_reads WHERE article = ?', [this.article], { isIdempotent: true });
        }
      }
      export const start = () =>
        consumer.run({ eachMessage: async ({ message }) => void (await new Stats(String(message.key)).reads) });
    `,
    },
  ],
  invalid: [
    {
      name: 'a getter that sends the counter, read in the handler',
      code: code`${setUp}
      class Stats {
        constructor(private readonly article: string) {}
        get read() {
          return client.execute('UPDATE article_reads SET reads = reads + 1 WHERE article = ?', [this.article]);
        }
      }
      export const start = () =>
        consumer.run({ eachMessage: async ({ message }) => void (await new Stats(String(message.key)).read) });
    `,
      errors: [{ messageId: 'consumerCallback', line: 10, column: 25 }],
    },
  ],
});
