import counterRule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import keyRule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
const { randomUUID } = require('node:crypto');
const cassandra = require('cassandra-driver');

const client = new cassandra.Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
exports.schema = 'CREATE TABLE app.shipments (shipment_id text PRIMARY KEY, order_id text)';`;

/**
 * Round 11 of unseen driver code (U11D f11): a JavaScript Lambda handler typed by JSDoc only — `@param
 * {import('aws-lambda').SQSEvent} event`, `@type {import('aws-lambda').SQSHandler}` — is an event-source
 * handler as a TypeScript one is. Both invalid cases failed before the fix (stash); an API Gateway handler
 * runs once and stays clean.
 */
sourceRuleTester(keyRule, {
  valid: [
    {
      name: 'an API Gateway handler typed by JSDoc: once per request',
      extension: 'js',
      code: code`${setUp}
      /** @param {import('aws-lambda').APIGatewayProxyEvent} event */
      exports.handler = async (event) => {
        await client.execute('INSERT INTO app.shipments (shipment_id, order_id) VALUES (?, ?)', [randomUUID(), event.body]);
      };
    `,
    },
  ],
  invalid: [
    {
      name: 'an SQS handler typed by a JSDoc @param: a failed batch comes again',
      extension: 'js',
      code: code`${setUp}
      /** @param {import('aws-lambda').SQSEvent} event */
      exports.handler = async (event) => {
        for (const record of event.Records)
          await client.execute('INSERT INTO app.shipments (shipment_id, order_id) VALUES (?, ?)', [randomUUID(), record.body]);
      };
    `,
      errors: [{ messageId: 'boundParameter', line: 10, column: 100, message: /SQSEvent handler/ }],
    },
  ],
});

sourceRuleTester(counterRule, {
  valid: [],
  invalid: [
    {
      name: 'a counter in a handler typed by a JSDoc @type SQSHandler',
      extension: 'js',
      code: code`${setUp}
      /** @type {import('aws-lambda').SQSHandler} */
      exports.handler = async (event) => {
        for (const record of event.Records)
          await client.execute('UPDATE app.sent SET n = n + 1 WHERE order_id = ?', [record.body]);
      };
    `,
      errors: [{ messageId: 'consumerCallback', line: 10, column: 24 }],
    },
  ],
});
