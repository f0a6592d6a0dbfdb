import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client, types } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
export const schema = 'CREATE TABLE shop.lines (order_id text, line_id text, sku text, PRIMARY KEY (order_id, line_id))';
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
interface IdSource {
  next(orderId: string, sku: string): types.Uuid | string;
}
function createWriter(deps: { client: Client; ids: IdSource }) {
  return {
    async writeLine(orderId: string, sku: string) {
      await deps.client.execute('INSERT INTO shop.lines (order_id, line_id, sku) VALUES (?, ?, ?)', [
        orderId,
        deps.ids.next(orderId, sku),
        sku,
      ]);
    },
  };
}`;

const handler = `
await consumer.run({
  eachMessage: async ({ message }) => {
    const o = JSON.parse(String(message.value)) as { id: string; skus: string[] };
    for (const sku of o.skus) await writer.writeLine(o.id, sku);
  },
});`;

/**
 * An id source handed to a factory in its deps object and called as `deps.ids.next()` inside the closure
 * it returns (unseen round 8, U8D k12; failed before): the method is the one the caller's object literal holds.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'an id source made of the event fields',
      code: code`${setUp}
      const writer = createWriter({ client, ids: { next: (orderId, sku) => \`\${orderId}:\${sku}\` } });
      ${handler}
    `,
    },
  ],
  invalid: [
    {
      name: 'an id source of random uuids given in the deps object',
      code: code`${setUp}
      const writer = createWriter({ client, ids: { next: () => types.Uuid.random() } });
      ${handler}
    `,
      errors: [
        { messageId: 'boundParameter', line: 16, column: 9, message: /Uuid\.random\(\) via `deps\.ids\.next\(\)`/ },
      ],
    },
  ],
});
