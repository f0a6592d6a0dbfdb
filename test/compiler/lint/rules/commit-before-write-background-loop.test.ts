import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka, type KafkaMessage } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const idle = () => new Promise((r) => setTimeout(r, 50));`;

/**
 * Round 11 of unseen driver code (U11D d06): the handler only pushes the message onto an array that a loop
 * started with the module (`void writerLoop()`, an endless `for (;;)`) writes out later — a timer by another
 * name. The invalid case failed before the fix (stash); a hand-off whose promise the writer settles after the
 * write, awaited by the handler, stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'the handler awaits a promise the writer loop settles after the write',
      code: code`${setUp}
      type Job = { m: KafkaMessage; done: (err?: unknown) => void };
      const inbox: Job[] = [];
      async function writerLoop() {
        for (;;) {
          const job = inbox.shift();
          if (!job) { await idle(); continue; }
          try { await client.execute('INSERT INTO t (k) VALUES (?)', [String(job.m.key)]); job.done(); } catch (err) { job.done(err); }
        }
      }
      void writerLoop();
      const enqueue = (m: KafkaMessage) => new Promise<void>((resolve, reject) => inbox.push({ m, done: (e) => (e ? reject(e) : resolve()) }));
      export const start = () => consumer.run({ eachMessage: async ({ message }) => { await enqueue(message); } });
    `,
    },
  ],
  invalid: [
    {
      name: 'the handler only pushes; an endless loop started with the module writes',
      code: code`${setUp}
      const inbox: KafkaMessage[] = [];
      async function writerLoop(): Promise<never> {
        for (;;) {
          const m = inbox.shift();
          if (!m) { await idle(); continue; }
          await client.execute('INSERT INTO t (k) VALUES (?)', [String(m.key)]);
        }
      }
      writerLoop().catch((err) => console.error(err));
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            inbox.push(message);
          },
        });
    `,
      errors: [
        { messageId: 'bufferedWrite', line: 20, column: 19, message: /background loop \(writerLoop at line 16\)/ },
      ],
    },
  ],
});
