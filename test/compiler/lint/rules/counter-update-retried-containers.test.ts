import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });`;

/**
 * Round 11 of unseen driver code (U11D b01–b03): a repository or handler handed out by a DI container whose
 * package is not installed (its look-up typed `any`) — tsyringe's `container.resolve(Class)`, Inversify's
 * `container.get<Class>(TOKEN)`, awilix's `container.cradle.name` registered with `asClass(Class)`. The three
 * invalid cases failed before the fix (stash); whole-value twins stay clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a repository resolved from a container writes a whole value',
      code: code`${setUp}
      import { container } from 'tsyringe';
      class Likes {
        async set(post: string, n: number) {
          await client.execute('UPDATE likes SET n = ? WHERE post = ?', [n, post]);
        }
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await container.resolve(Likes).set(String(message.key), Number(message.value));
          },
        });
    `,
    },
    {
      name: 'an awilix name registered with another class, whose same-named method writes a whole value',
      code: code`${setUp}
      import { createContainer, asClass } from 'awilix';
      class Counting {
        async add(k: string) {
          await client.execute('UPDATE c SET n = n + 1 WHERE k = ?', [k]);
        }
      }
      class Totals {
        async add(k: string) {
          await client.execute('UPDATE t SET n = ? WHERE k = ?', [1, k]);
        }
      }
      const container = createContainer();
      container.register({ totals: asClass(Totals).singleton(), counting: asClass(Counting) });
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await container.cradle.totals.add(String(message.key));
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'tsyringe: container.resolve(Class) in the handler',
      code: code`${setUp}
      import { container } from 'tsyringe';
      class Likes {
        async like(post: string) {
          await client.execute('UPDATE likes SET n = n + 1 WHERE post = ?', [post]);
        }
      }
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const likes = container.resolve(Likes);
            await likes.like(String(message.key));
          },
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 10, column: 24 }],
    },
    {
      name: 'Inversify: container.get<Class>(TOKEN) in the handler',
      code: code`${setUp}
      import { Container } from 'inversify';
      class Votes {
        async vote(option: string) {
          await client.execute('UPDATE votes SET n = n + 1 WHERE option = ?', [option]);
        }
      }
      const container = new Container();
      export const start = () =>
        consumer.run({
          eachMessage: (payload) => container.get<Votes>(Symbol.for('Votes')).vote(String(payload.message.value)),
        });
    `,
      errors: [{ messageId: 'kafkaHandler', line: 10, column: 24 }],
    },
    {
      name: 'awilix: a name of the cradle registered with asClass',
      code: code`${setUp}
      import { createContainer, asClass } from 'awilix';
      class Scores {
        async add(player: string) {
          await client.execute('UPDATE scores SET points = points + 1 WHERE player = ?', [player]);
        }
      }
      const container = createContainer();
      container.register({ scores: asClass(Scores).singleton() });
      export const start = () => {
        const { scores } = container.cradle;
        return consumer.run({ eachMessage: async ({ message }) => scores.add(String(message.key)) });
      };
    `,
      errors: [{ messageId: 'kafkaHandler', line: 10, column: 24 }],
    },
  ],
});
