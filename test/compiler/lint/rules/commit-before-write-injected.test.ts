import rule from '../../../../compiler/lint/rules/commit-before-write.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import type { Client } from 'cassandra-driver';
import type { Consumer, KafkaMessage } from 'kafkajs';

export interface MessageHandler {
  handle(message: KafkaMessage): Promise<void>;
}

export class Host {
  constructor(private readonly consumer: Consumer, private readonly handler: MessageHandler) {}
  start() {
    return this.consumer.run({ eachMessage: ({ message }) => this.handler.handle(message) });
  }
}`;

/**
 * A handler injected through an interface (unseen round 8, U8D: c07) is the one class of the program
 * that implements it; and a function the handler reaches is read past its first callback (c14: a
 * \`cols.map(() => '?')\` before the write ended the walk, so the write after it went unread). Each
 * invalid case failed before the fix; the valid twins await the write.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'the one implementation of the injected handler awaits its write',
      code: code`${setUp}
      export class Shipments implements MessageHandler {
        constructor(private readonly client: Client) {}
        async handle(message: KafkaMessage): Promise<void> {
          await this.client.execute('UPDATE shipments SET state = ? WHERE id = ?', [String(message.value), String(message.key)]);
        }
      }
    `,
    },
    {
      name: 'a reached helper that awaits its write after a callback',
      code: code`${setUp}
      export class Rows implements MessageHandler {
        constructor(private readonly client: Client) {}
        async handle(message: KafkaMessage): Promise<void> {
          await this.put({ id: String(message.key), body: String(message.value) });
        }
        async put(row: Record<string, string>) {
          const cols = Object.keys(row);
          await this.client.execute(\`INSERT INTO t (\${cols.join(', ')}) VALUES (\${cols.map(() => '?').join(', ')})\`, Object.values(row));
        }
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'the one implementation of the injected handler does not await its write',
      code: code`${setUp}
      export class Shipments implements MessageHandler {
        constructor(private readonly client: Client) {}
        async handle(message: KafkaMessage): Promise<void> {
          this.client.execute('UPDATE shipments SET state = ? WHERE id = ?', [String(message.value), String(message.key)]);
        }
      }
    `,
      errors: [{ messageId: 'floatingWrite', line: 18, column: 23 }],
    },
    {
      name: 'a reached helper whose write, after a callback, is not awaited',
      code: code`${setUp}
      export class Rows implements MessageHandler {
        constructor(private readonly client: Client) {}
        async handle(message: KafkaMessage): Promise<void> {
          this.put({ id: String(message.key), body: String(message.value) });
        }
        put(row: Record<string, string>): void {
          const cols = Object.keys(row);
          void this.client.execute(\`INSERT INTO t (\${cols.join(', ')}) VALUES (\${cols.map(() => '?').join(', ')})\`, Object.values(row));
        }
      }
    `,
      errors: [{ messageId: 'floatingWrite', line: 22, column: 28 }],
    },
  ],
});
