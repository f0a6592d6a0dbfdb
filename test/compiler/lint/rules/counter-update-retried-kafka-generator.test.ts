import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka, type Consumer, type KafkaMessage } from 'kafkajs';

const db = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const BUMP = 'UPDATE games.scores SET goals = goals + 1 WHERE match_id = ?';`;

/**
 * A generator of the program given a Kafka consumer (pull-style consumption:
 * it runs the consumer and yields its messages) is a Kafka stream: the body
 * of a `for await` over it runs again for a redelivered message (unseen round
 * 7, U7D; the invalid case failed before the fix). A generator over lines of
 * a file is not.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a generator of the program over the lines of a text, not given a consumer',
      code: code`${setUp}
      async function* lines(text: string): AsyncGenerator<string> {
        for (const line of text.split('\\n')) yield line;
      }
      export async function importOnce(text: string) {
        for await (const matchId of lines(text)) await db.execute(BUMP, [matchId]);
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'for await over a generator that yields the messages of the consumer it is given',
      code: code`${setUp}
      async function* messages(source: Consumer): AsyncGenerator<KafkaMessage> {
        const ready: KafkaMessage[] = [];
        await source.run({ eachMessage: async ({ message }) => void ready.push(message) });
        for (;;) {
          const next = ready.shift();
          if (next) yield next;
          else await new Promise((r) => setTimeout(r, 10));
        }
      }
      export async function main() {
        for await (const message of messages(consumer)) await db.execute(BUMP, [String(message.key)]);
      }
    `,
      errors: [{ messageId: 'consumerCallback', line: 18, column: 66, message: /for await/ }],
    },
  ],
});
