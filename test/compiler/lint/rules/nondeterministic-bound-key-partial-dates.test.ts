import rule from '../../../../compiler/lint/rules/nondeterministic-bound-key.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';
import { setUp } from './bound-key-set-up.ts';

/**
 * Dates given only some of their units: luxon's `DateTime.fromObject({ hour: 3 })` and
 * `DateTime.fromFormat('09:00', 'HH:mm')`, moment's `moment({ hour: 0 })` and `moment(text, 'HH:mm')` fill the year,
 * month and day from the current time (`fromObject({})` is now). Unseen round 10 (U10P) b08; the invalid cases
 * failed before. Given a year, written out or in the format, they are functions of the event.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'fromObject with a year, fromFormat and moment with a format that parses the year',
      code: code`${setUp}
      import { DateTime } from 'luxon';
      import moment from 'moment';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const e = JSON.parse(String(message.value)) as { id: string; y: number; m: number; d: number; at: string };
            await client.execute(INSERT, [DateTime.fromObject({ year: e.y, month: e.m, day: e.d }).toISODate(), e.id, 'a']);
            await client.execute(INSERT, [DateTime.fromFormat(e.at, 'yyyy-MM-dd HH:mm').toISODate(), e.id, 'b']);
            await client.execute(INSERT, [moment(e.at, 'YYYY-MM-DD').format('YYYY-MM-DD'), e.id, 'c']);
            await client.execute(INSERT, [moment(e.at).format('YYYY-MM-DD'), e.id, 'd']);
          },
        });
    `,
    },
  ],
  invalid: [
    {
      name: 'fromObject({}), fromObject({ hour }), fromFormat of a time, moment({ hour }) and moment of a time',
      code: code`${setUp}
      import { DateTime } from 'luxon';
      import moment from 'moment';
      export const start = () =>
        consumer.run({
          eachMessage: async ({ message }) => {
            const e = JSON.parse(String(message.value)) as { id: string; hour: number; at: string };
            await client.execute(INSERT, [DateTime.fromObject({}).toISODate(), e.id, 'a']);
            await client.execute(INSERT, [DateTime.fromObject({ hour: e.hour }).toISO(), e.id, 'b']);
            await client.execute(INSERT, [DateTime.fromFormat(e.at, 'HH:mm').toISO(), e.id, 'c']);
            await client.execute(INSERT, [moment({ hour: 0 }).format(), e.id, 'd']);
            await client.execute(INSERT, [moment(e.at, 'HH:mm').format(), e.id, 'e']);
          },
        });
    `,
      errors: [
        { messageId: 'boundParameter', line: 15, column: 43, message: /fromObject\(\) without a year/ },
        { messageId: 'boundParameter', line: 16, column: 43, message: /fromObject\(\) without a year/ },
        { messageId: 'boundParameter', line: 17, column: 43, message: /fromFormat\(\) with a format without a year/ },
        { messageId: 'boundParameter', line: 18, column: 43, message: /moment\(\) given no year/ },
        { messageId: 'boundParameter', line: 19, column: 43, message: /moment\(\) given no year/ },
      ],
    },
  ],
});
