import ts from 'typescript';
import { isDateTimeFormat } from '../clock-and-randomness.ts';
import { isConst, resolveName, unwrap } from '../call-graph/resolve.ts';
import { cutTo, isTimed, keptOf, wrapTo, type TimedValue, type TimeValue } from './time-value.ts';
import * as unit from './time-units.ts';

/** The `Intl.DateTimeFormat` a receiver is: made in place, or held by a const of the program. */
function formatterOf(
  receiver: ts.Expression,
  checker: ts.TypeChecker,
): ts.NewExpression | ts.CallExpression | undefined {
  const inner = unwrap(receiver);
  if (isDateTimeFormat(inner)) return inner as ts.NewExpression | ts.CallExpression;
  if (!ts.isIdentifier(inner)) return undefined;
  const resolved = resolveName(inner, checker);
  const init = resolved.kind === 'variable' && resolved.node.initializer && unwrap(resolved.node.initializer);
  return init && isDateTimeFormat(init) ? (init as ts.NewExpression | ts.CallExpression) : undefined;
}

/** The option names a formatter prints, from its options object written out (undefined when it cannot be read). */
function printedFields(
  formatter: ts.NewExpression | ts.CallExpression,
  checker: ts.TypeChecker,
): Set<string> | undefined {
  return optionFields(formatter.arguments?.[1], checker);
}

/** The names an options object gives: written in place or held by a const (`const LABEL = { hour: '2-digit' }`). */
function optionFields(options: ts.Expression | undefined, checker: ts.TypeChecker): Set<string> | undefined {
  if (!options) return new Set();
  let object = unwrap(options);
  if (ts.isIdentifier(object)) {
    const resolved = resolveName(object, checker);
    const init = resolved.kind === 'variable' && isConst(resolved.node) ? resolved.node.initializer : undefined;
    if (!init) return undefined;
    object = unwrap(init);
  }
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  const fields = new Set<string>();
  for (const p of object.properties) {
    if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) return undefined;
    if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) fields.add(p.name.text);
  }
  return fields;
}

const finestPrinted: readonly (readonly [field: string, grain: number])[] = [
  ['fractionalSecondDigits', 1],
  ['second', unit.second],
  ['timeStyle', unit.second],
  ['minute', unit.minute],
  ['hour', unit.hour],
  ['day', unit.day],
  ['dateStyle', unit.day],
  ['weekday', unit.day],
  ['month', unit.month],
  ['year', unit.year],
];

/**
 * `dayFormat.format(ws)` with `new Intl.DateTimeFormat('en-CA', { year, month, day })`: text cut to
 * the finest field the options print (a day here; with no date or time field, Intl prints the date).
 * Without `year` the text comes round every year (or every month without `month`, every week with
 * only `weekday`).
 */
export function intlFormatted(
  call: ts.CallExpression,
  receiver: ts.Expression,
  first: TimeValue | undefined,
  checker: ts.TypeChecker,
): TimeValue | undefined {
  if (!isTimed(first)) return undefined;
  const formatter = formatterOf(receiver, checker);
  const fields = formatter && printedFields(formatter, checker);
  if (!fields) return undefined;
  return printedText(fields, call, first);
}

/**
 * `new Date(ws).toLocaleString('en-GB', { timeZone: 'UTC', year, month, day, hour })`: the date
 * methods print what their options ask for, read like a formatter's (the hour here). Undefined
 * without a date or time field among them: each method's own default is read elsewhere.
 */
export function localeFormatted(
  call: ts.CallExpression,
  first: TimeValue | undefined,
  checker: ts.TypeChecker,
): TimeValue | undefined {
  if (!isTimed(first)) return undefined;
  const fields = optionFields(call.arguments[1], checker);
  if (!fields || !finestPrinted.some(([f]) => fields.has(f))) return undefined;
  return printedText(fields, call, first);
}

/** Text cut to the finest field printed, wrapping round when the year (or more) is left out. */
function printedText(fields: ReadonlySet<string>, call: ts.CallExpression, first: TimedValue): TimeValue {
  const printed = finestPrinted.filter(([f]) => fields.has(f));
  const grain = printed[0]?.[1] ?? unit.day;
  const dated = fields.has('dateStyle') || fields.has('year') || printed.length === 0;
  const period = dated
    ? undefined
    : fields.has('month')
      ? unit.year
      : fields.has('day')
        ? unit.month
        : fields.has('weekday')
          ? unit.week
          : unit.day;
  const value = cutTo({ kind: 'text' as const, ...keptOf(first) }, grain, call);
  return wrapTo(value, period !== undefined && grain < period ? period : undefined, call);
}
