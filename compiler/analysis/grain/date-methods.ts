import ts from 'typescript';
import { cutTo, isTimed, keptOf, wrapTo, type TimedValue, type TimeValue } from './time-value.ts';
import * as unit from './time-units.ts';

/** What the methods read from the expression they are given. */
export interface Reader {
  value(node: ts.Expression): TimeValue | undefined;
  constant(node: ts.Expression): number | undefined;
  /** Calls a callback (`list.map(cb)`) with these argument values. */
  apply(
    callback: ts.Expression,
    args: readonly (TimeValue | undefined)[],
    call: ts.CallExpression,
  ): TimeValue | undefined;
}

const iso = (v: TimedValue): TimeValue => ({ kind: 'iso', ...keptOf(v) });
const text = (v: TimedValue): TimedValue => ({ kind: 'text', ...keptOf(v) });
const num = (v: TimedValue, scale?: number): TimedValue => ({
  kind: 'number',
  ...keptOf(v),
  ...(scale === undefined ? {} : { scale }),
});
const date = (v: TimedValue): TimedValue => ({ kind: 'date', ...keptOf(v) });
const stringArg = (call: ts.CallExpression, i: number) => {
  const arg = call.arguments[i];
  return arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : undefined;
};

/** `getUTCHours()`, `setUTCHours(0, 0, 0, 0)`, `toISOString()`, dayjs' `startOf('day')` and `format('YYYY-MM-DD')`, luxon's `toISODate()`. */
function dateMethod(v: TimedValue, name: string, call: ts.CallExpression, reader: Reader): TimeValue | undefined {
  const plain = name.replace('UTC', '');
  if (plain in unit.getterGrain)
    return wrapTo(cutTo(num(v), unit.getterGrain[plain]!, call), unit.getterPeriod[plain], call);
  if (name === 'toUTCString') return { kind: 'utc', ...keptOf(v) };
  const setter = unit.setterGrain[plain];
  if (setter) return call.arguments.length >= setter[1] ? cutTo(num(v, 1), setter[0], call) : num(v, 1);
  switch (name) {
    case 'getTime':
    case 'valueOf':
    case 'toMillis':
      return num(v, 1);
    case 'unix':
    case 'toSeconds':
      return cutTo(num(v, unit.second), unit.second, call);
    case 'toISOString':
    case 'toJSON':
    case 'toISO':
      return iso(v);
    case 'toISODate':
    case 'toDateString':
    case 'toLocaleDateString':
      return cutTo(text(v), unit.day, call);
    case 'toString':
    case 'toLocaleString':
      return cutTo(text(v), unit.second, call);
    // The time of day alone: the same text every day.
    case 'toTimeString':
    case 'toLocaleTimeString':
      return wrapTo(cutTo(text(v), unit.second, call), unit.day, call);
    case 'startOf':
    case 'endOf':
    case 'truncate': {
      const grain = unit.unitGrain(stringArg(call, 0) ?? '');
      return grain === undefined ? undefined : cutTo(date(v), grain, call);
    }
    case 'format':
    case 'toFormat': {
      const pattern = stringArg(call, 0);
      const grain =
        pattern === undefined ? (call.arguments.length === 0 ? unit.second : undefined) : unit.patternGrain(pattern);
      const period = pattern === undefined ? undefined : unit.patternPeriod(pattern);
      return grain === undefined ? undefined : wrapTo(cutTo(text(v), grain, call), period, call);
    }
    case 'add':
    case 'subtract':
    case 'plus':
    case 'minus':
    case 'utc':
    case 'local':
    case 'tz':
    case 'clone':
    case 'toDate':
    case 'toJSDate':
    case 'setZone':
      return date(v);
    default:
      void reader;
      // dayjs' `d.isoWeek()`, `d.year()` read a part (given an argument, they set it instead).
      return call.arguments.length === 0 ? calendarPartOf(v, name, call) : undefined;
  }
}

/** A calendar part read from a date value (calendarPart): what it keeps, and how often it comes round. */
export function calendarPartOf(v: TimedValue, name: string, at: ts.Node): TimeValue | undefined {
  const part = unit.calendarPart(name);
  return part && wrapTo(cutTo(num(v), part[0], at), part[1], at);
}

/**
 * `iso.slice(0, 10)`: what the characters `start` to `end` of
 * `2026-12-03T13:05:00.000Z` keep. The end decides the grain; a start past
 * the date (`slice(11, 13)`, the hour alone) makes the text repeat.
 */
function isoMethod(v: TimedValue, name: string, call: ts.CallExpression, reader: Reader): TimeValue | undefined {
  const [a, b] = call.arguments;
  let start = a ? reader.constant(a) : 0;
  const second = b ? reader.constant(b) : undefined;
  if (name === 'slice' || name === 'substring' || name === 'substr') {
    if (start === undefined || (b && second === undefined)) return undefined;
    if (start < 0) start = name === 'substring' ? 0 : start + 24;
    let end = b === undefined ? 24 : name === 'substr' ? start + second! : second!;
    if (end < 0) end = name === 'substring' ? 0 : end + 24;
    // `substring` takes its two bounds in either order.
    if (name === 'substring' && end < start) [start, end] = [end, start];
    return wrapTo(cutTo(text(v), unit.isoPrefixGrain(end), call), unit.isoStartPeriod(start), call);
  }
  if (name === 'split') {
    const separator = stringArg(call, 0);
    const parts = separator === ' ' ? isoParts('T') : separator ? isoParts(separator) : undefined;
    if (!parts) return undefined;
    // Each part keeps what its characters of the ISO text keep: `split(':')[0]` the hour, `split('T')[1]` the time
    // of day (as fine as the timestamp, the same every day).
    const items = parts.map(([start, end]) =>
      wrapTo(cutTo(text(v), unit.isoPrefixGrain(end), call), unit.isoStartPeriod(start), call),
    );
    return { kind: 'list', item: items[0]!, items };
  }
  // `iso.replace(/T.*$/, '')`: a replacement that leaves a prefix of the ISO text keeps what that prefix keeps.
  const kept = name === 'replace' || name === 'replaceAll' ? isoPrefixLeftBy(call) : undefined;
  if (kept !== undefined) return cutTo(text(v), unit.isoPrefixGrain(kept), call);
  return stringMethod(v, name);
}

const isoLayout = '2026-12-03T13:05:00.000Z';

/**
 * How long a prefix of an ISO timestamp `iso.replace(/T.*$/, '')` leaves: the regex literal and the replacement
 * text written out are applied to the layout (a regex, not user code; on 24 characters). Undefined when they are
 * not written out, or leave anything but a shorter prefix (`replace(/[-:]/g, '')` reformats and keeps it all).
 */
function isoPrefixLeftBy(call: ts.CallExpression): number | undefined {
  const [pattern, replacement] = call.arguments;
  if (!pattern || !ts.isRegularExpressionLiteral(pattern) || !replacement || !ts.isStringLiteralLike(replacement))
    return undefined;
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern.text);
  if (!literal) return undefined;
  let left: string;
  try {
    left = isoLayout.replace(new RegExp(literal[1]!, literal[2]), replacement.text);
  } catch {
    return undefined; // a pattern this engine does not take, or replaceAll's non-global regex
  }
  return left.length > 0 && left.length < isoLayout.length && isoLayout.startsWith(left) ? left.length : undefined;
}

/** Where the parts of an ISO timestamp split at `separator` start and end, or undefined when it holds none. */
function isoParts(separator: string): [number, number][] | undefined {
  if (separator.length === 0 || !isoLayout.includes(separator)) return undefined;
  const parts: [number, number][] = [];
  let start = 0;
  for (const piece of isoLayout.split(separator)) {
    parts.push([start, start + piece.length]);
    start += piece.length + separator.length;
  }
  return parts;
}

/**
 * `utc.slice(0, 16)` of `Thu, 03 Dec 2026 13:05:00 GMT`: a prefix keeps the day (16), the hour (19), the minute
 * (22) or the second (25). A cut that starts inside the date or ends before the year is not read (no guess).
 */
function utcMethod(v: TimedValue, name: string, call: ts.CallExpression, reader: Reader): TimeValue | undefined {
  if (name !== 'slice' && name !== 'substring' && name !== 'substr') return stringMethod(v, name);
  const [a, b] = call.arguments;
  const start = a ? reader.constant(a) : 0;
  const second = b ? reader.constant(b) : undefined;
  if (start === undefined || start < 0 || start > 5 || (b && second === undefined)) return undefined;
  const end = b === undefined ? 29 : name === 'substr' ? start + second! : second!;
  const grain =
    end >= 25 ? unit.second : end >= 22 ? unit.minute : end >= 19 ? unit.hour : end >= 16 ? unit.day : undefined;
  return grain === undefined ? undefined : cutTo(text(v), grain, call);
}

/** String methods that keep what the text tells apart (`toLowerCase`, `replace`…); slicing text of unknown shape is unknown. */
function stringMethod(v: TimedValue, name: string): TimeValue | undefined {
  return /^(toLowerCase|toUpperCase|trim|padStart|padEnd|replace|replaceAll|concat|normalize|toString|valueOf)$/.test(
    name,
  )
    ? text(v)
    : undefined;
}

/** A method called on a value made from the window start. */
export function methodOn(
  receiver: TimeValue,
  name: string,
  call: ts.CallExpression,
  reader: Reader,
): TimeValue | undefined {
  if (receiver.kind === 'list') {
    if ((name === 'map' || name === 'flatMap') && call.arguments[0]) {
      const item = reader.apply(call.arguments[0], [receiver.item], call);
      return item && { kind: 'list', item };
    }
    if (name === 'join' && isTimed(receiver.item)) return text(receiver.item);
    if (name === 'at') {
      const index = call.arguments[0] && reader.constant(call.arguments[0]);
      return (index === undefined ? undefined : receiver.items?.at(index)) ?? receiver.item;
    }
    return undefined;
  }
  if (receiver.kind === 'row') return undefined;
  if (receiver.kind === 'date') return dateMethod(receiver, name, call, reader);
  if (receiver.kind === 'iso') return isoMethod(receiver, name, call, reader);
  if (receiver.kind === 'utc') return utcMethod(receiver, name, call, reader);
  if (receiver.kind === 'text') return stringMethod(receiver, name);
  if (name === 'toString' || name === 'toFixed' || name === 'toPrecision') return text(receiver);
  return name === 'valueOf' ? receiver : undefined;
}

/**
 * Library functions, known by name since their code is not read: date-fns
 * (`startOfDay`, `format`, `formatISO`, `getUnixTime`), and the constructors
 * of dayjs, moment and luxon dates.
 */
export function libraryCall(name: string, call: ts.CallExpression, first: TimeValue): TimeValue | undefined {
  if (!isTimed(first)) return undefined;
  const startOf = /^(?:startOf|endOf)(?:UTC)?(\w+)$/.exec(name);
  if (startOf) {
    const grain = unit.unitGrain(startOf[1]!);
    return grain === undefined ? undefined : cutTo(date(first), grain, call);
  }
  if (/^(format|formatInTimeZone|formatDate|lightFormat|formatUTC)$/.test(name)) {
    const pattern = [...call.arguments]
      .reverse()
      .find((a) => ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a));
    const grain = pattern && unit.patternGrain((pattern as ts.StringLiteral).text);
    const period = pattern && unit.patternPeriod((pattern as ts.StringLiteral).text);
    return grain === undefined ? undefined : wrapTo(cutTo(text(first), grain, call), period || undefined, call);
  }
  if (name === 'formatISO' || name === 'formatRFC3339') {
    const dateOnly = call.arguments[1]?.getText().match(/representation\s*:\s*['"]date['"]/);
    return cutTo(text(first), dateOnly ? unit.day : unit.second, call);
  }
  if (name === 'getUnixTime') return cutTo(num(first, unit.second), unit.second, call);
  const getter = /^get(UTC)?(FullYear|Year|Month|Date|Day|Hours|Minutes|Seconds)$/.exec(name);
  if (getter) {
    const name = `get${getter[2] === 'Year' ? 'FullYear' : getter[2]}`;
    return wrapTo(cutTo(num(first), unit.getterGrain[name]!, call), unit.getterPeriod[name], call);
  }
  // date-fns' `getISOWeek(d)`, `getISOWeekYear(d)`, `getQuarter(d)`, `getDayOfYear(d)`.
  if (/^get[A-Z]/.test(name)) return calendarPartOf(first, name, call);
  if (/^(dayjs|moment|utc|toDate|parseISO|fromMillis|fromJSDate|fromISO|fromSeconds|fromUnixTime|DateTime)$/.test(name))
    return date(first);
  return undefined;
}
