import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
interface Row {
  query: string;
  params: unknown[];
}`;

/**
 * A buffer kept by a class whose own timer flushes it (unseen round 6, d06; failed before): the handler
 * calls `writer.add(row)`, which only pushes onto `this.pending`, and returns; kafkajs commits, and a crash
 * before the tick loses the row. A class that writes in `add` (its timer only reports a count) stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a writer class whose add() awaits the write; its timer only logs how many were written',
      code: code`${setUp}
      class Writer {
        private written = 0;
        constructor() {
          setInterval(() => console.log('written', this.written), 10_000).unref();
        }
        async add(row: Row): Promise<void> {
          await client.execute(row.query, row.params, { prepare: true });
          this.written += 1;
        }
      }
      const writer = new Writer();
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await writer.add({ query: 'INSERT INTO cpu (host, cpu) VALUES (?, ?)', params: [String(message.key), 1] });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'a BatchWriter whose add() buffers and whose own setInterval flushes',
      code: code`${setUp}
      class BatchWriter {
        private pending: Row[] = [];
        constructor(everyMs = 1000) {
          setInterval(() => void this.flush(), everyMs).unref();
        }
        add(row: Row): void {
          this.pending.push(row);
        }
        async flush(): Promise<void> {
          const rows = this.pending;
          this.pending = [];
          await client.batch(rows, { prepare: true });
        }
      }
      const writer = new BatchWriter(500);
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const cpu = Number(message.value);
            writer.add({ query: 'INSERT INTO cpu (host, cpu) VALUES (?, ?)', params: [String(message.key), cpu] });
          },
        });
    `,
      errors: [{ messageId: 'bufferedWrite', line: 30, column: 20, message: /`writer.add\(…\)` only buffers/ }],
    },
  ],
});
