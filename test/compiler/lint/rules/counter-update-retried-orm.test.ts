import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
const { Kafka } = require('kafkajs');
const models = require('./models');

const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/**
 * Round 11 of unseen driver code (U11D e14): express-cassandra's `Model.updateAsync(query, { views: { $incr: 1 } })`
 * is `SET views = views + 1`. Both invalid cases (in the handler, and in a helper it calls) failed before the
 * fix (stash); a whole-value update stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'an express-cassandra update of a whole value',
      extension: 'js',
      code: code`${setUp}
      exports.start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await models.instance.PageTotals.updateAsync({ page: String(message.key) }, { views: Number(message.value) });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'an express-cassandra $incr in the handler',
      extension: 'js',
      code: code`${setUp}
      exports.start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await models.instance.PageViews.updateAsync({ page: String(message.key) }, { views: { $incr: 1 } });
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 9, column: 45 }],
    },
    {
      name: 'an express-cassandra $decr in a helper the handler calls',
      extension: 'js',
      code: code`${setUp}
      function release(sku) {
        return new Promise((resolve, reject) =>
          models.instance.Stock.update({ sku }, { reserved: { '$decr': 1 } }, (err) => (err ? reject(err) : resolve())),
        );
      }
      exports.start = () =>
        consumer.run({ eachMessage: async ({ message }) => release(String(message.key)) });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 8, column: 33 }],
    },
  ],
});
