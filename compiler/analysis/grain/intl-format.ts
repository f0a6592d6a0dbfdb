import ts from 'typescript';
import { isDateTimeFormat } from '../clock-and-randomness.ts';
import { resolveName, unwrap } from '../call-graph/resolve.ts';
import { cutTo, isTimed, keptOf, wrapTo, type TimeValue } from './time-value.ts';
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
function printedFields(formatter: ts.NewExpression | ts.CallExpression): Set<string> | undefined {
  const options = formatter.arguments?.[1];
  if (!options) return new Set();
  const object = unwrap(options);
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
  const fields = formatter && printedFields(formatter);
  if (!fields) return undefined;
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
