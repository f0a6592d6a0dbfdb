import ts from 'typescript';
import { resolveName, unwrap } from './resolve.ts';

/** What a condition needs to be judged: what the program passes for a parameter, and whether its default may run. */
export interface ParameterValues {
  readonly passedFor: (parameter: ts.ParameterDeclaration) => readonly ts.Expression[];
  readonly defaultUsed: (parameter: ts.ParameterDeclaration) => boolean;
}

const falsy = (node: ts.Expression): boolean => {
  const value = unwrap(node);
  return (
    value.kind === ts.SyntaxKind.FalseKeyword ||
    value.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(value) && value.text === 'undefined') ||
    (ts.isNumericLiteral(value) && Number(value.text) === 0) ||
    (ts.isStringLiteral(value) && value.text === '')
  );
};

/** Does the object literal leave `name` unset or falsy? Anything else (a spread, a computed name) may set it. */
function leavesUnset(object: ts.Expression, name: string): boolean {
  const literal = unwrap(object);
  if (!ts.isObjectLiteralExpression(literal)) return false;
  return literal.properties.every((p) => {
    if (ts.isSpreadAssignment(p) || !p.name || ts.isComputedPropertyName(p.name)) return false;
    if (p.name.getText().replace(/^['"]|['"]$/g, '') !== name) return true;
    return ts.isPropertyAssignment(p) && falsy(p.initializer);
  });
}

/**
 * `opts.unique` of a parameter `opts: { unique?: boolean } = {}` that no call of the program gives `unique`:
 * every object passed for it, and its default when some call leaves it out, leaves the option unset, so a
 * branch under it (`opts.unique ? \`${id}#${++issued}\` : id`) never runs. False when any value is not such an
 * object literal, or no value is known.
 */
export function optionNeverSet(condition: ts.Expression, checker: ts.TypeChecker, values: ParameterValues): boolean {
  const read = unwrap(condition);
  if (!ts.isPropertyAccessExpression(read) || !ts.isIdentifier(unwrap(read.expression))) return false;
  const owner = resolveName(unwrap(read.expression), checker);
  const parameter = owner.kind === 'parameter' ? owner.node : undefined;
  if (!parameter || !ts.isParameter(parameter)) return false;
  const given = [...values.passedFor(parameter)];
  if (parameter.initializer && values.defaultUsed(parameter)) given.push(parameter.initializer);
  else if (values.defaultUsed(parameter)) return false; // left out with no default: undefined, `opts.x` throws
  return given.length > 0 && given.every((value) => leavesUnset(value, read.name.text));
}
