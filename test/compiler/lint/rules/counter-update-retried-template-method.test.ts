import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka, type Consumer, type EachMessagePayload } from 'kafkajs';

const db = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const kafka = new Kafka({ brokers: ['127.0.0.1:9092'] });
abstract class BaseConsumer {
  constructor(private readonly consumer: Consumer) {}
  protected abstract handle(value: string): Promise<void>;
  async start(): Promise<void> {
    await this.consumer.run({ eachMessage: (payload) => this.consume(payload) });
  }
  private async consume({ message }: EachMessagePayload): Promise<void> {
    await this.handle(String(message.value));
  }
}
class VoteCounter extends BaseConsumer {
  protected async handle(option: string): Promise<void> {
    await db.execute('UPDATE polls.results SET votes = votes + 1 WHERE option = ?', [option]);
  }
}
class LastVote extends BaseConsumer {
  protected async handle(option: string): Promise<void> {
    await db.execute('UPDATE polls.last SET option = ? WHERE poll = ?', [option, 'p']);
  }
}`;

/**
 * A template method: the handler is registered inside the abstract base's
 * start() and calls the abstract handle() through consume(). The override
 * that runs is the one of the instance start() is called on (unseen round 7,
 * U7D; the invalid case failed before the fix). A counter override whose
 * instances never start a consumer is not reported.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: "start() only on the upsert subclass; the counter subclass's instance never starts",
      code: code`${setUp}
      export const run = () => new LastVote(kafka.consumer({ groupId: 'last' })).start();
      export const made = () => new VoteCounter(kafka.consumer({ groupId: 'unused' }));
    `,
    },
  ],
  invalid: [
    {
      name: 'start() on the counter subclass',
      code: code`${setUp}
      export const run = () => new VoteCounter(kafka.consumer({ groupId: 'votes' })).start();
    `,
      errors: [{ messageId: 'consumerCallback', line: 19, column: 14, message: /consume/ }],
    },
  ],
});
