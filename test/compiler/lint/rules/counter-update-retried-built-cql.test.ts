import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { format } from 'node:util';
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

const handler = (body: string) => `
export const start = () =>
  consumer.run({
    eachMessage: async ({ message }) => {
      const e = JSON.parse(String(message.value)) as { k: string; n: number; cols: string[] };
${body}
    },
  });`;

/**
 * Counter CQL assembled at run time (unseen round 8, U8D: b05, b06, b07, b15): `+` concatenation,
 * node:util's format, a SET list made by `.map(…).join(', ')`, a query taken from the object a helper
 * returns (`const { query } = updateFor(e)`), and batch items made by a method (`d.toStatement()`).
 * Each invalid case failed before the fix; the valid twins assemble whole-value upserts the same way.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a concatenated upsert (col = ?)',
      code: code`${setUp}
      const col = 'total';
      ${handler(`      await client.execute('UPDATE t SET ' + col + ' = ? WHERE k = ?', [e.n, e.k]);`)}
    `,
    },
    {
      name: 'a SET list of whole values joined from a map, returned by a helper and destructured',
      code: code`${setUp}
      function updateFor(cols: string[]) {
        const sets = cols.map((c) => \`\${c} = ?\`).join(', ');
        return { query: \`UPDATE t SET \${sets} WHERE k = ?\`, extra: 1 };
      }
      ${handler(`      const { query } = updateFor(e.cols);
      await client.execute(query, [e.n, e.k]);`)}
    `,
    },
  ],
  invalid: [
    {
      name: 'a concatenated counter update (col = col + ?)',
      code: code`${setUp}
      const col = String(process.env.COL);
      ${handler(`      await client.execute('UPDATE t SET ' + col + ' = ' + col + ' + ? WHERE k = ?', [e.n, e.k]);`)}
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 20 }],
    },
    {
      name: 'util.format of a counter template',
      code: code`${setUp}
      const ADD = 'UPDATE %s SET %s = %s + ? WHERE k = ?';
      ${handler(`      await client.execute(format(ADD, 't', e.cols[0], e.cols[0]), [e.n, e.k]);`)}
    `,
      errors: [{ messageId: 'kafkaHandler', line: 14, column: 20 }],
    },
    {
      name: 'a SET list of deltas joined from a map, returned by a helper and destructured',
      code: code`${setUp}
      function updateFor(cols: string[]) {
        const sets = cols.map((c) => \`\${c} = \${c} + ?\`).join(', ');
        return { query: \`UPDATE t SET \${sets} WHERE k = ?\`, extra: 1 };
      }
      ${handler(`      const { query } = updateFor(e.cols);
      await client.execute(query, [e.n, e.k]);`)}
    `,
      errors: [{ messageId: 'kafkaHandler', line: 18, column: 20 }],
    },
    {
      name: 'batch statements made by a method of a class of the program',
      code: code`${setUp}
      class Delta {
        static readonly CQL = 'UPDATE t SET n = n + ? WHERE k = ?';
        constructor(readonly k: string, readonly n: number) {}
        toStatement() {
          return { query: Delta.CQL, params: [this.n, this.k] };
        }
      }
      ${handler(`      const deltas = e.cols.map((k) => new Delta(k, e.n));
      await client.batch(deltas.map((d) => d.toStatement()), { counter: true });`)}
    `,
      errors: [{ messageId: 'kafkaHandler', line: 21, column: 20 }],
    },
  ],
});
