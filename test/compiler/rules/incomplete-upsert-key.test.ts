import { embedded, sliding, source, tumbling } from 'idemflow';
import rule from '../../../compiler/rules/incomplete-upsert-key.ts';
import { DAY, dayKey, dayOf, minuteOf, startOfUtcDay } from '../../helpers/day-keys.ts';
import { placeOf, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

/** A date library's formatter (date-fns' `format`), known to the analysis by name only: its code is never read. */
declare function format(date: number | Date, pattern: string): string;
/** A helper without a body: the analysis cannot tell what it keeps of the window, so it does not guess. */
declare function opaqueBucket(ms: number): string;

/** Intl formatters: the text of a day, of a minute, and of a day of the year without the year. */
const dayLabel = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'UTC',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const minuteLabel = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'UTC',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const birthdayLabel = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'short', day: 'numeric' });

const here = import.meta.url;
const helpers = new URL('../../helpers/day-keys.ts', here).href;
const HOUR = 3_600_000;

const windowed = (size = 60_000) =>
  source
    .memory(readings)
    .withEventTime((e) => e.ts)
    .window(tumbling(size))
    .groupBy('sensorId')
    .count();
const hopping = () =>
  source
    .memory(readings)
    .withEventTime((e) => e.ts)
    .window(sliding({ hours: 1 }, { minutes: 1 }))
    .groupBy('sensorId')
    .count();

ruleTester(rule, {
  valid: [
    {
      name: 'Intl labels at the windows own resolution: the minute of 1-minute windows, the day of 1-day windows',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', minute: (r) => minuteLabel.format(r.windowStart) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'an Intl day label of 1-day windows',
      pipeline: () =>
        windowed(86_400_000).sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => dayLabel.format(r.windowStart) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'key and window in the key',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key', ts: 'windowStart' }, values: { n: 'value' } }),
        ),
    },
    {
      name: 'window end is as good as window start',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key', until: 'windowEnd' }, values: { n: 'value' } }),
        ),
    },
    {
      name: 'a key function that keeps the window at its own resolution (minutes of 1-minute windows)',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', minute: (r) => Math.floor(r.windowStart / 60_000) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'finer than the window: seconds, a whole ISO timestamp, a minute helper of another module',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: {
              sensor_id: 'key',
              s: (r) => Math.floor(r.windowStart / 1000),
              iso: (r) => new Date(r.windowStart).toISOString(),
              m: (r) => minuteOf(r.windowStart),
            },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'day windows keyed by the day',
      pipeline: () =>
        windowed(DAY).sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => dayOf(r.windowStart) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'a sliding window keyed by its start',
      pipeline: () =>
        hopping().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key', ts: 'windowStart' }, values: { n: 'value' } }),
        ),
    },
    {
      name: 'the day in a value column, not in the key',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', ts: 'windowStart' },
            values: { n: 'value', day: (r) => new Date(r.windowStart).toISOString().slice(0, 10) },
          }),
        ),
    },
    {
      name: 'the day as partition key beside the window start',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => dayOf(r.windowStart), ts: 'windowStart' },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'the day and the exact start in one column',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', bucket: (r) => `${dayOf(r.windowStart)}/${r.windowStart}` },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'fractional days are not a cut, and a floor undone by a multiplication keeps minutes',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: {
              sensor_id: 'key',
              days: (r) => r.windowStart / DAY,
              ms: (r) => Math.floor(r.windowStart / 60_000) * 60_000,
            },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'a variable named day that holds the whole start',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: {
              sensor_id: 'key',
              day: (r) => {
                const day = r.windowStart;
                return day;
              },
            },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'a helper the analysis cannot read: no guess',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', b: (r) => opaqueBucket(r.windowStart) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'no window: the group key alone',
      pipeline: () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .count()
          .sink(embedded.upsert({ table: 't', key: { sensor_id: 'key' }, values: { n: 'value' } })),
    },
    {
      name: 'the hour of the day beside the day: together they keep the whole hour (hourly windows)',
      pipeline: () =>
        windowed(HOUR).sink(
          embedded.upsert({
            table: 't',
            key: {
              sensor_id: 'key',
              day: (r) => new Date(r.windowStart).toISOString().slice(0, 10),
              hour: (r) => new Date(r.windowStart).getUTCHours(),
            },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'a format pattern that prints the date and the time of day',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', at: (r) => format(r.windowStart, 'yyyy-MM-dd HH:mm') },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'the ISO text cut to the date and the hour (slice(0, 13)), hourly windows',
      pipeline: () =>
        windowed(HOUR).sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', hour: (r) => new Date(r.windowStart).toISOString().slice(0, 13) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: "the time after the ISO text's T beside its date part",
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: {
              sensor_id: 'key',
              day: (r) => new Date(r.windowStart).toISOString().split('T')[0]!,
              time: (r) => new Date(r.windowStart).toISOString().split('T')[1]!,
            },
            values: { n: 'value' },
          }),
        ),
    },
  ],
  invalid: [
    {
      name: 'the day of 1-minute windows as an Intl.DateTimeFormat label',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => dayLabel.format(r.windowStart) }, // @intl-day
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@intl-day', 'dayLabel.format(') }],
    },
    {
      name: 'an Intl label without the year for 1-day windows: each day of the year comes round again',
      pipeline: () =>
        windowed(86_400_000).sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => birthdayLabel.format(r.windowStart) }, // @intl-no-year
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@intl-no-year', 'birthdayLabel.format(') }],
    },
    {
      name: 'windowed, keyed by the group key only',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key' }, values: { n: 'value', ts: 'windowStart' } }),
        ),
      errors: [{ messageId: 'missingWindow' }],
    },
    {
      name: 'keyed by the window only',
      pipeline: () =>
        windowed().sink(embedded.upsert({ table: 't', key: { ts: 'windowStart' }, values: { n: 'value' } })),
      errors: [{ messageId: 'missingGroupKey' }],
    },
    {
      name: 'the day of 1-minute windows as an ISO prefix',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => new Date(r.windowStart).toISOString().slice(0, 10) }, // @iso-day
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@iso-day', 'slice(') }],
    },
    {
      name: 'the day as Math.floor(ms / DAY), DAY a const of another module',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => Math.floor(r.windowStart / DAY) }, // @floor-day
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@floor-day', 'Math.floor(') }],
    },
    {
      name: 'the day by a helper of another module, also when it takes the whole row',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: dayKey }, // @day-key
            values: { n: 'value' },
          }),
        ),
      // Reported where the day is cut: inside the helper given as the key function.
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(helpers, '@day-key', 'dayOf(') }],
    },
    {
      name: 'the day by setUTCHours(0, 0, 0, 0) in a helper of another module',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => startOfUtcDay(r.windowStart) }, // @set-hours
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@set-hours', 'startOfUtcDay(') }],
    },
    {
      name: 'the day from getters in a template, through a local Date',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: {
              sensor_id: 'key',
              day: ({ windowStart }) => {
                const d = new Date(windowStart);
                return `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()}`; // @getters
              },
            },
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@getters', 'd.getUTCDate()') }],
    },
    {
      name: "a date library's format pattern",
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => format(r.windowStart, "yyyy-MM-dd'T'") }, // @format
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@format', 'format(') }],
    },
    {
      name: 'a day helper passed to an array map',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => [r.windowStart].map(dayOf).join('') }, // @array-map
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@array-map', 'map(') }],
    },
    {
      name: 'the start minus its remainder of an hour, windows sliding every minute',
      pipeline: () =>
        hopping().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', hour: (r) => r.windowStart - (r.windowStart % HOUR) }, // @remainder
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'coarserThanWindow', ...placeOf(here, '@remainder', 'r.windowStart -') }],
    },
    {
      name: 'the hour of the day alone, hourly windows: each day overwrites the day before',
      pipeline: () =>
        windowed(HOUR).sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', hour: (r) => new Date(r.windowStart).getUTCHours() }, // @hour-of-day
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@hour-of-day', 'getUTCHours(') }],
    },
    {
      name: 'the window start modulo a day: the time within the day',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', slot: (r) => r.windowStart % DAY }, // @time-of-day
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@time-of-day', 'r.windowStart %') }],
    },
    {
      name: 'toLocaleTimeString of the window start: a clock time, the same every day',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', at: (r) => new Date(r.windowStart).toLocaleTimeString('en-GB') }, // @locale-time
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@locale-time', 'toLocaleTimeString(') }],
    },
    {
      name: 'the hour cut out of the ISO text (slice(11, 13)), hourly windows: the same two digits every day',
      pipeline: () =>
        windowed(HOUR).sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', hour: (r) => new Date(r.windowStart).toISOString().slice(11, 13) }, // @iso-hour
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@iso-hour', 'slice(') }],
    },
    {
      name: 'hour and minute by substring(11, 16), and the time part after the T, of 1-minute windows',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', hhmm: (r) => new Date(r.windowStart).toISOString().substring(16, 11) }, // @iso-hhmm
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@iso-hhmm', 'substring(') }],
    },
    {
      name: "the time part after the ISO text's T, alone",
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', time: (r) => new Date(r.windowStart).toISOString().split('T')[1]! }, // @iso-time
            values: { n: 'value' },
          }),
        ),
      errors: [{ messageId: 'repeatingKey', ...placeOf(here, '@iso-time', 'split(') }],
    },
  ],
});
