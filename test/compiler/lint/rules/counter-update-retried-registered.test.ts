import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka, type EachMessagePayload } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/** A router that keeps handlers in a Map field, filled by `on(topic, fn)` and dispatched from eachMessage. */
const router = `
type Handler = (payload: EachMessagePayload) => Promise<void>;
class Router {
  private readonly routes = new Map<string, Handler>();
  on(topic: string, handler: Handler): this {
    this.routes.set(topic, handler);
    return this;
  }
  async dispatch(payload: EachMessagePayload): Promise<void> {
    const handler = this.routes.get(payload.topic);
    if (handler) await handler(payload);
  }
}`;

/** A middleware chain: `compose([...])` runs each step of the array it is handed, in turn. */
const compose = `
type Step = (raw: Buffer, next: () => Promise<void>) => Promise<void>;
function compose(stack: Step[]): (raw: Buffer) => Promise<void> {
  return (raw) => {
    const step = (i: number): Promise<void> => (i < stack.length ? stack[i]!(raw, () => step(i + 1)) : Promise.resolve());
    return step(0);
  };
}`;

/**
 * Handlers registered at run time (unseen round 6, b06 b07 b15; failed before): a function stored into a
 * container (a Map field set by a method, an array handed to a function) that a handler calls from, and
 * NestJS `@EventPattern` / `@MessagePattern` methods, which the Kafka transport runs once a delivery.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a registry whose handlers write whole values',
      code: code`${setUp}${router}
      async function storeTotal({ message }: EachMessagePayload) {
        await client.execute('UPDATE totals SET n = ? WHERE k = ?', [Number(message.value), String(message.key)]);
      }
      const routes = new Router().on('totals', storeTotal);
      export const start = () => consumer.run({ eachMessage: (payload) => routes.dispatch(payload) });
    `,
    },
    {
      name: 'a registry filled with a counter handler that no handler dispatches from',
      code: code`${setUp}${router}
      async function countView({ message }: EachMessagePayload) {
        await client.execute('UPDATE views SET n = n + 1 WHERE k = ?', [String(message.key)]);
      }
      export const routes = new Router().on('views', countView);
    `,
    },
    {
      name: 'a middleware chain whose last step is an upsert',
      code: code`${setUp}${compose}
      const decode: Step = async (raw, next) => { JSON.parse(raw.toString()); await next(); };
      const storeTotal: Step = async (raw, next) => {
        await client.execute('UPDATE totals SET n = ? WHERE k = ?', [raw.length, 'k']);
        await next();
      };
      const pipeline = compose([decode, storeTotal]);
      export const start = () => consumer.run({ eachMessage: ({ message }) => pipeline(message.value!) });
    `,
    },
    {
      name: 'a NestJS @EventPattern handler that upserts the state the event carries',
      code: code`${setUp}
      import { EventPattern, Payload } from '@nestjs/microservices';
      export class Totals {
        @EventPattern('totals')
        async onTotal(@Payload() e: { k: string; n: number }) {
          await client.execute('UPDATE totals SET n = ? WHERE k = ?', [e.n, e.k]);
        }
      }
    `,
    },
    {
      name: 'a decorator of the same name from another package is no message handler',
      code: code`${setUp}
      import { EventPattern } from './local-decorators';
      export class Views {
        @EventPattern('views')
        async onView(e: { k: string }) {
          await client.execute('UPDATE views SET n = n + 1 WHERE k = ?', [e.k]);
        }
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'a counter handler stored by router.on(topic, fn) into a Map field, dispatched from eachMessage',
      code: code`${setUp}${router}
      async function countView({ message }: EachMessagePayload) {
        await client.execute('UPDATE views SET n = n + 1 WHERE k = ?', [String(message.key)]);
      }
      const routes = new Router().on('views', countView);
      export const start = () => consumer.run({ eachMessage: (payload) => routes.dispatch(payload) });
    `,
      errors: [
        { messageId: 'kafkaHandler', line: 20, column: 22, message: /reached through `dispatch\(\)` → `handler\(\)`/ },
      ],
    },
    {
      name: 'a counter step of a middleware chain made by compose([...])',
      code: code`${setUp}${compose}
      const decode: Step = async (raw, next) => { JSON.parse(raw.toString()); await next(); };
      const addRevenue: Step = async (raw, next) => {
        await client.execute('UPDATE revenue SET cents = cents + ? WHERE shop = ?', [raw.length, 'k']);
        await next();
      };
      const pipeline = compose([decode, addRevenue]);
      export const start = () => consumer.run({ eachMessage: ({ message }) => pipeline(message.value!) });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 16, column: 22 }],
    },
    {
      name: 'a NestJS @EventPattern handler that adds to a counter',
      code: code`${setUp}
      import { EventPattern, Payload } from '@nestjs/microservices';
      export class Shares {
        @EventPattern('post-shared')
        async onShared(@Payload() e: { postId: string }) {
          await client.execute('UPDATE shares SET n = n + 1 WHERE post_id = ?', [e.postId]);
        }
      }
    `,
      errors: [{ messageId: 'kafkaHandler', line: 11, column: 24, message: /NestJS @EventPattern handler/ }],
    },
    {
      name: 'a NestJS @MessagePattern imported under another name, through a helper',
      code: code`${setUp}
      import { MessagePattern as OnMessage } from '@nestjs/microservices';
      async function bump(id: string) {
        await client.execute('UPDATE likes SET n = n + 1 WHERE id = ?', [id]);
      }
      export class Likes {
        @OnMessage('liked')
        async onLiked(e: { id: string }) {
          await bump(e.id);
        }
      }
    `,
      errors: [
        {
          messageId: 'kafkaHandler',
          line: 9,
          column: 22,
          message: /NestJS @MessagePattern handler \(reached through `bump\(\)`/,
        },
      ],
    },
  ],
});
