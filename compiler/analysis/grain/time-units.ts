import { lookupTable } from '../lookup-table.ts';

/**
 * Time units as a key can keep them, and how date APIs cut a timestamp down
 * to one: `toISOString().slice(0, 10)` keeps the day, `getUTCHours()` the
 * hour, date-fns' `format(d, 'yyyy-MM-dd')` the day. A month or a year is
 * taken at its shortest (28 and 365 days): a key that keeps only the month
 * certainly merges windows shorter than that.
 */
export const second = 1_000;
export const minute = 60 * second;
export const hour = 60 * minute;
export const day = 24 * hour;
export const week = 7 * day;
export const month = 28 * day;
export const quarter = 90 * day;
export const year = 365 * day;

const named: readonly [ms: number, one: string, many: string][] = [
  [year, 'a year', 'years'],
  [quarter, 'a quarter', 'quarters'],
  [month, 'a month', 'months'],
  [week, 'a week', 'weeks'],
  [day, 'a day', 'days'],
  [hour, 'an hour', 'hours'],
  [minute, 'a minute', 'minutes'],
  [second, 'a second', 'seconds'],
  [1, 'a millisecond', 'ms'],
];

/** "a day", "15 minutes", "36 hours": the largest unit the span is a whole number of. */
export function describeSpan(ms: number): string {
  for (const [unit, one, many] of named) {
    if (ms < unit || ms % unit !== 0) continue;
    return ms === unit ? one : `${ms / unit} ${many}`;
  }
  return `${ms} ms`;
}

/** "every minute", "every 15 minutes". */
export function describeEvery(ms: number): string {
  const span = describeSpan(ms);
  return `every ${span.replace(/^an? /, '')}`;
}

/** What is left of an ISO-8601 timestamp (`2026-12-03T13:05:00.000Z`) cut after `length` characters. */
export function isoPrefixGrain(length: number): number {
  if (length <= 4) return year;
  if (length <= 7) return month;
  if (length <= 10) return day;
  if (length <= 13) return hour;
  if (length <= 16) return minute;
  if (length <= 19) return second;
  return 1;
}

/**
 * What an ISO-8601 timestamp cut from character `start` on has left out in
 * front, as the span after which the rest comes round again: from 11
 * (`13:05`) the date is gone and the text repeats every day; from 8 every
 * month, from 5 every year. Undefined when the year is kept whole.
 */
export function isoStartPeriod(start: number): number | undefined {
  if (start >= 11) return day;
  if (start >= 8) return month;
  if (start >= 5) return year;
  return undefined;
}

/** Date getters: what each still tells apart (`getUTCHours()` keeps hours, repeating every day). */
export const getterGrain = lookupTable<number>({
  getFullYear: year,
  getMonth: month,
  getDate: day,
  getDay: day,
  getHours: hour,
  getMinutes: minute,
  getSeconds: second,
  getMilliseconds: 1,
});

/** What each getter leaves out: `getUTCHours()` is the same every day, `getUTCDate()` every month. */
export const getterPeriod = lookupTable<number>({
  getMonth: year,
  getDate: month,
  getDay: week,
  getHours: day,
  getMinutes: hour,
  getSeconds: minute,
  getMilliseconds: second,
});

/**
 * The calendar parts date libraries read, by name, with the unit each keeps and the span after which it
 * comes round again: date-fns' `getISOWeek(d)` (a week, every year), dayjs' `d.isoWeekYear()` (a year,
 * never), luxon's `dt.weekNumber`. Also `Date`'s own getters under their date-fns names (`getQuarter`).
 */
export const calendarParts = lookupTable<readonly [grain: number, period: number | undefined]>({
  isoweekyear: [year, undefined],
  weekyear: [year, undefined],
  localweekyear: [year, undefined],
  year: [year, undefined],
  quarter: [quarter, year],
  month: [month, year],
  isoweek: [week, year],
  week: [week, year],
  weeknumber: [week, year],
  localweeknumber: [week, year],
  dayofyear: [day, year],
  ordinal: [day, year],
  isoday: [day, week],
  isoweekday: [day, week],
  weekday: [day, week],
  localweekday: [day, week],
  date: [day, month],
  day: [day, week],
  hour: [hour, day],
  minute: [minute, hour],
  second: [second, minute],
});

/** The part `name` reads (`getISOWeek`, `isoWeek`, `weekNumber`), case and a `get`/`getUTC` prefix aside. */
export function calendarPart(name: string): readonly [grain: number, period: number | undefined] | undefined {
  const part = name.replace(/^get(UTC)?(?=[A-Z])/, '').toLowerCase();
  return calendarParts[part];
}

/** Date setters that zero every smaller field when given all their arguments: `setUTCHours(0, 0, 0, 0)` → a day. */
export const setterGrain = lookupTable<readonly [grain: number, args: number]>({
  setHours: [day, 4],
  setMinutes: [hour, 3],
  setSeconds: [minute, 2],
  setMilliseconds: [second, 1],
});

/** `startOfDay`, `startOf('day')`, `truncate('hour')`: the unit a date library rounds down to. */
export function unitGrain(unit: string): number | undefined {
  const units = lookupTable<number>({
    second,
    minute,
    hour,
    day,
    date: day,
    week,
    isoweek: week,
    month,
    isoweekyear: year,
    weekyear: year,
    quarter,
    year,
  });
  return units[unit.toLowerCase().replace(/^utc|utc$|s$/gi, '')];
}

/** Pattern letters of date-fns, dayjs, moment and luxon, and the unit each shows. */
const patternLetters: readonly [RegExp, number][] = [
  [/[SxXT]/, 1],
  [/s/, second],
  [/m/, minute],
  [/[HhkK]/, hour],
  [/[dDEeoi]/, day],
  [/[wWI]/, week],
  [/[ML]/, month],
  [/Q/, quarter],
  [/[yYuGgR]/, year],
];

/** Pattern letters and the span after which what they print comes round again (the year never does). */
const letterPeriods: readonly [RegExp, number][] = [
  [/S/, second],
  [/s/, minute],
  [/m/, hour],
  [/[HhkK]/, day],
  [/d/, month],
  [/[Eeoi]/, week],
  [/[DwWIMLQ]/, year],
  [/[yYuGgRT]/, Infinity],
];

/** What `table` gives each letter a format pattern prints, quoted text (`'T'` in date-fns, `[T]` in dayjs) skipped. */
function perLetter(pattern: string, table: readonly [RegExp, number][]): number[] {
  const letters = pattern.replace(/'[^']*'|\[[^\]]*\]/g, '');
  return [...letters].flatMap((letter) => table.find(([re]) => re.test(letter))?.[1] ?? []);
}

/**
 * How long until the text a format pattern prints comes round again:
 * `'HH:mm'` every day, `'MM-dd'` every year; undefined when it prints the
 * year (or no date part at all).
 */
export function patternPeriod(pattern: string): number | undefined {
  const periods = perLetter(pattern, letterPeriods);
  const longest = periods.length > 0 ? Math.max(...periods) : undefined;
  return longest === Infinity ? undefined : longest;
}

/**
 * The finest unit a format pattern prints (`'yyyy-MM-dd'` → a day).
 * Undefined when it prints no date part at all.
 */
export function patternGrain(pattern: string): number | undefined {
  const units = perLetter(pattern, patternLetters);
  return units.length > 0 ? Math.min(...units) : undefined;
}
