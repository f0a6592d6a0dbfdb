import ts from 'typescript';

/**
 * Date methods that read or set a calendar part in the machine's time zone: `getHours()`, `getDate()`,
 * `setHours(0, 0, 0, 0)`, `toDateString()`, `toString()` (local time with the zone's name)… A UTC-midnight day window is "yesterday" on a host west of
 * Greenwich, so two consumers in two zones write two keys. Their `getUTC…` twins, and the minutes and
 * seconds (the same in every whole-hour zone), are not listed.
 */
const localZoneMethods = /^((get|set)(Hours|Date|Month|FullYear)|get(Day|Year)|to(Date|Time)?String)$/;

const isDateConstruction = (node: ts.Node): node is ts.NewExpression =>
  ts.isNewExpression(node) && node.expression.getText().replace(/^globalThis\./, '') === 'Date';

const isDateType = (type: ts.TypeNode | undefined): boolean =>
  type !== undefined && ts.isTypeReferenceNode(type) && type.typeName.getText() === 'Date';

/** The `const d = new Date(…)`, `d: Date` or parameter `d: Date` that `name` refers to, read from its enclosing scopes. */
function declaresDate(name: ts.Identifier): boolean {
  for (let scope: ts.Node | undefined = name.parent; scope; scope = scope.parent) {
    if (ts.isFunctionLike(scope)) {
      const parameter = scope.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name.text);
      if (parameter) return isDateType(parameter.type);
    }
    if (!ts.isBlock(scope) && !ts.isSourceFile(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const declaration = statement.declarationList.declarations.find(
        (d) => ts.isIdentifier(d.name) && d.name.text === name.text,
      );
      if (declaration)
        return (
          isDateType(declaration.type) || (!!declaration.initializer && isDateConstruction(declaration.initializer))
        );
    }
  }
  return false;
}

/** Is this expression a Date, as far as the text shows: `new Date(ws)`, or a name declared as one. */
function isDate(node: ts.Expression): boolean {
  let value = node;
  while (ts.isParenthesizedExpression(value) || ts.isNonNullExpression(value)) value = value.expression;
  // `new Date()` without a time is the clock itself, reported as such.
  if (isDateConstruction(value)) return (value.arguments?.length ?? 0) > 0;
  return ts.isIdentifier(value) && declaresDate(value);
}

/** "the machine's time zone (getHours() of a Date)", for a local calendar read or write of a Date; else undefined. */
export function localZoneCalendar(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !localZoneMethods.test(callee.name.text)) return undefined;
  return isDate(callee.expression)
    ? `the machine's time zone (${callee.name.text}() of a Date, in local time)`
    : undefined;
}

/** The literal pieces of a text written out: a string, or a template's head and the text after each part. */
function literalPieces(text: ts.Expression): readonly string[] | undefined {
  if (ts.isStringLiteralLike(text)) return [text.text];
  return ts.isTemplateExpression(text) ? [text.head.text, ...text.templateSpans.map((s) => s.literal.text)] : undefined;
}

/** Ends with a zone: `Z`, `+02:00`, `-0500`, `GMT`, `UTC`. */
const endsWithZone = /(Z|[+-]\d\d(:?\d\d)?|GMT|UTC)\s*$/i;

/**
 * A date and a time of day written without a zone, which Date reads in the machine's zone: `'2024-01-01 10:00'`,
 * `${day} ${time}`, `${day}T${time}`, `${day}T00:00`. A date alone (`2024-01-01`, read as UTC), a text ending in a
 * zone, and a template whose last part may carry one (`${offset}`) are not.
 */
function zonelessDateTime(text: ts.Expression): boolean {
  const pieces = literalPieces(text);
  if (!pieces || endsWithZone.test(pieces.at(-1)!)) return false;
  if (ts.isStringLiteralLike(text)) return /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(text.text);
  const spans = (text as ts.TemplateExpression).templateSpans;
  if (pieces.at(-1) === '' && /zone|offset|tz/i.test(spans.at(-1)!.expression.getText())) return false;
  // A `T` or a space after the first part, before another part or a written-out hour.
  return spans.some(
    (s, i) => /^[T ]\d\d:\d\d/.test(s.literal.text) || (/^[T ]$/.test(s.literal.text) && i < spans.length - 1),
  );
}

/** "the machine's time zone (…)" for `new Date(text)` or `Date.parse(text)` of a date-time text without a zone. */
export function localDateTimeParse(node: ts.Node): string | undefined {
  const parses =
    isDateConstruction(node) ||
    (ts.isCallExpression(node) && node.expression.getText().replace(/^globalThis\./, '') === 'Date.parse');
  const text = parses ? node.arguments?.[0] : undefined;
  return text && zonelessDateTime(text)
    ? "the machine's time zone (a date and time written without a zone, read as local time)"
    : undefined;
}
