import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/** CQL assembled from literal fragments with `[…].join(' ')` is read as its text (unseen round 6, b03; failed before). */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'joined fragments that set a whole value',
      code: code`${setUp}
      const SET_CLICKS = ['UPDATE ads.clicks', 'SET clicks = ?', 'WHERE campaign = ?'].join(' ');
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(SET_CLICKS, [Number(message.value), String(message.key)], { prepare: true });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'joined fragments that add to a counter, sent from eachMessage',
      code: code`${setUp}
      const ADD_CLICK = ['UPDATE ads.clicks', 'SET clicks = clicks + ?', 'WHERE campaign = ?'].join(' ');
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(ADD_CLICK, [1, String(message.key)], { prepare: true });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 11, column: 26 }],
    },
  ],
});
