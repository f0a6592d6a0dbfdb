import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/**
 * Messages a kafkajs handler lets go while kafkajs commits their offsets
 * (issue 15, round 5 of unseen cases): handed to a Node writable whose
 * `_write` sends the write later (l29), or kept in an in-memory retry list by
 * a catch (l32) — a crash loses both. Each with a look-alike that waits for
 * the stream, or does not commit past the failure.
 */
const rowWriter = `class RowWriter extends Writable {
  constructor(private readonly client: Client) {
    super({ objectMode: true });
  }
  override _write(row: { id: string; v: number }, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.client.execute('INSERT INTO metrics.samples (id, v) VALUES (?, ?)', [row.id, row.v], { prepare: true }).then(() => done(), done);
  }
}`;

sourceRuleTester(rule, {
  valid: [
    {
      name: 'a stream write whose callback settles the awaited promise',
      code: code`
      import { Writable } from 'node:stream';
      import type { Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      ${rowWriter}
      export async function pump(consumer: Consumer, out: RowWriter): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            await new Promise<void>((ok, fail) => {
              out.write(JSON.parse(String(message.value)), (e) => (e ? fail(e) : ok()));
            });
          },
        });
      }
    `,
    },
    {
      name: 'a batch written to a stream, ended and awaited with finished() before eachBatch returns',
      code: code`
      import { Writable } from 'node:stream';
      import { finished } from 'node:stream/promises';
      import type { Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      ${rowWriter}
      export async function pump(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            const out = new RowWriter(client);
            for (const m of batch.messages) out.write(JSON.parse(String(m.value)));
            out.end();
            await finished(out);
          },
        });
      }
    `,
    },
    {
      name: 'a writable whose write only keeps rows in memory (nothing to lose at the sink)',
      code: code`
      import { Writable } from 'node:stream';
      import type { Consumer } from 'kafkajs';

      const rows: unknown[] = [];
      const sample = new Writable({ objectMode: true, write(row, _enc, done) { rows.push(row); done(); } });
      export async function pump(consumer: Consumer): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            sample.write(String(message.value));
          },
        });
      }
    `,
    },
    {
      name: 'a catch that keeps the message for a retry and rethrows, or sends it to a retry topic',
      code: code`
      import type { Consumer, KafkaMessage, Producer } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      const seen: KafkaMessage[] = [];
      export async function start(consumer: Consumer, producer: Producer, client: Client): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            try {
              await client.execute('INSERT INTO billing.invoices (id, doc) VALUES (?, ?)', [String(message.key), String(message.value)]);
            } catch (e) {
              seen.push(message);
              throw e;
            }
            try {
              await client.execute('INSERT INTO billing.audit (id) VALUES (?)', [String(message.key)]);
            } catch {
              await producer.send({ topic: 'invoices.retry', messages: [message] });
            }
          },
        });
      }
    `,
    },
    {
      name: "a batch's failures kept in the handler's own list, then thrown together, or retried before it returns",
      code: code`
      import type { Consumer, KafkaMessage } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      const failedOnce: KafkaMessage[] = [];
      export async function start(consumer: Consumer, client: Client): Promise<void> {
        const insert = (m: KafkaMessage) => client.execute('INSERT INTO billing.invoices (id) VALUES (?)', [String(m.key)]);
        await consumer.run({
          eachBatch: async ({ batch }) => {
            const again: KafkaMessage[] = [];
            for (const m of batch.messages) {
              try {
                await insert(m);
              } catch {
                again.push(m);
              }
            }
            for (const m of again) await insert(m);
          },
        });
        await consumer.run({
          eachMessage: async ({ message }) => {
            try {
              await insert(message);
            } catch {
              failedOnce.push(message);
            }
            if (failedOnce.length > 0) throw new Error(\`\${failedOnce.length} inserts failed\`);
          },
        });
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'a row written to a Writable subclass whose _write inserts, not waited for (l29)',
      code: code`
      import { Writable } from 'node:stream';
      import type { Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      ${rowWriter}
      export async function pump(consumer: Consumer, out: RowWriter): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            out.write(JSON.parse(String(message.value)));
          },
        });
      }
    `,
      errors: [{ messageId: 'streamWrite', line: 16, column: 11, message: /case-\d+\.ts:9:3 writes it later/ }],
    },
    {
      name: 'a row written to new Writable({ write }) whose write inserts, not waited for',
      code: code`
      import { Writable } from 'node:stream';
      import type { Client } from 'cassandra-driver';
      import type { Consumer } from 'kafkajs';

      export async function pump(consumer: Consumer, client: Client): Promise<void> {
        const sink = new Writable({
          objectMode: true,
          write(row: { id: string }, _enc, done) {
            client.execute('INSERT INTO metrics.seen (id) VALUES (?)', [row.id]).then(() => done(), done);
          },
        });
        await consumer.run({
          eachMessage: async ({ message }) => {
            sink.write({ id: String(message.key) });
          },
        });
      }
    `,
      errors: [{ messageId: 'streamWrite', line: 14, column: 12 }],
    },
    {
      name: 'a catch that only pushes the failed message into an in-memory retry list (l32)',
      code: code`
      import type { Consumer, KafkaMessage } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      export class InvoiceProjector {
        private readonly retryLater: KafkaMessage[] = [];
        constructor(private readonly consumer: Consumer, private readonly client: Client) {}
        async start(): Promise<void> {
          await this.consumer.run({
            eachMessage: async ({ message }) => {
              try {
                await this.client.execute('INSERT INTO billing.invoices (id, doc) VALUES (?, ?)', [String(message.key), String(message.value)]);
              } catch {
                this.retryLater.push(message);
              }
            },
          });
        }
      }
    `,
      errors: [{ messageId: 'parkedFailure', line: 12, column: 11, message: /this\.retryLater\.push/ }],
    },
    {
      name: 'a catch that logs and keeps the failed message in a module-level Map',
      code: code`
      import type { Consumer, KafkaMessage } from 'kafkajs';
      import type { Client } from 'cassandra-driver';

      const pending = new Map<string, KafkaMessage>();
      export async function start(consumer: Consumer, client: Client): Promise<void> {
        await consumer.run({
          eachMessage: async ({ message }) => {
            try {
              await client.execute('INSERT INTO billing.invoices (id) VALUES (?)', [String(message.key)]);
            } catch (e) {
              console.warn('retrying later', e);
              pending.set(String(message.key), message);
            }
          },
        });
      }
    `,
      errors: [{ messageId: 'parkedFailure', line: 10, column: 9 }],
    },
  ],
});
