import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';
import { setUp } from './bound-key-set-up.ts';

/**
 * Date and id packages read the clock or draw randomness when called without
 * a time: dayjs()/moment(), luxon's DateTime.utc(), date-fns startOfToday(),
 * KSUID.randomSync(), cuid2's createId(), and the generators ulid's
 * monotonicFactory() and cuid2's init() make (unseen round 7, U7D; the invalid
 * cases failed before the fix). Given the event's time they are functions of it.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'new ObjectId(hex) of the id the message carries',
      code: code`${setUp}
      import { ObjectId } from 'bson';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(INSERT, ['d', new ObjectId(String(message.key)).toHexString(), String(message.value)]);
          },
        });
    `,
    },
    {
      name: "dayjs and luxon given the event's time; ulid's decodeTime of the id the producer made",
      code: code`${setUp}
      import dayjs from 'dayjs';
      import { DateTime } from 'luxon';
      import { decodeTime } from 'ulid';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const e = JSON.parse(String(message.value)) as { id: string; ts: string };
            await client.execute(INSERT, [dayjs(e.ts).format('YYYY-MM-DD'), e.id, 'a'], { prepare: true });
            await client.execute(INSERT, [DateTime.fromISO(e.ts).toISODate(), e.id, 'b'], { prepare: true });
            await client.execute(INSERT, [String(decodeTime(e.id)), e.id, 'c'], { prepare: true });
          },
        });
    `,
    },
    {
      name: 'a function of the program named monotonicFactory, and dayjs() in a value column',
      code: code`${setUp}
      import dayjs from 'dayjs';
      const monotonicFactory = () => (seed: string) => seed.toUpperCase();
      const idOf = monotonicFactory();
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(INSERT, [String(message.key), idOf(String(message.value)), dayjs().format()], { prepare: true });
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'new ObjectId() of bson as the key (unseen round 8, U8D k08; failed before)',
      code: code`${setUp}
      import { ObjectId } from 'bson';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            await client.execute(INSERT, ['d', new ObjectId().toHexString(), String(message.value)]);
          },
        });
    `,
      errors: [{ messageId: 'boundParameter', line: 13, column: 48 }],
    },
    {
      name: 'dayjs(), luxon DateTime.utc() and date-fns startOfToday() as the day key',
      code: code`${setUp}
      import dayjs from 'dayjs';
      import { DateTime } from 'luxon';
      import { startOfToday } from 'date-fns';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const id = String(message.key);
            await client.execute(INSERT, [dayjs().utc().format('YYYY-MM-DD'), id, 'a'], { prepare: true });
            const day = DateTime.utc().toISODate();
            await client.execute(INSERT, [day, id, 'b'], { prepare: true });
            await client.execute(INSERT, [startOfToday().toISOString(), id, 'c'], { prepare: true });
          },
        });
    `,
      errors: [
        { messageId: 'boundParameter', line: 16, column: 43, message: /dayjs\(\)/ },
        { messageId: 'boundParameter', line: 18, column: 43, message: /DateTime/ },
        { messageId: 'boundParameter', line: 19, column: 43, message: /startOfToday/ },
      ],
    },
    {
      name: "ids from ksuid, cuid2, and the generators of ulid's monotonicFactory and cuid2's init",
      code: code`${setUp}
      import KSUID from 'ksuid';
      import { createId, init } from '@paralleldrive/cuid2';
      import { monotonicFactory } from 'ulid';
      const nextId = monotonicFactory();
      const shortId = init({ length: 10 });
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const day = String(message.key);
            await client.execute(INSERT, [day, KSUID.randomSync().string, 'a'], { prepare: true });
            await client.execute(INSERT, [day, createId(), 'b'], { prepare: true });
            await client.execute(INSERT, [day, nextId(), 'c'], { prepare: true });
            await client.execute(INSERT, [day, shortId(), 'd'], { prepare: true });
          },
        });
    `,
      errors: [
        { messageId: 'boundParameter', line: 18, column: 48, message: /KSUID/ },
        { messageId: 'boundParameter', line: 19, column: 48, message: /createId/ },
        { messageId: 'boundParameter', line: 20, column: 48, message: /monotonicFactory/ },
        { messageId: 'boundParameter', line: 21, column: 48, message: /init/ },
      ],
    },
  ],
});
