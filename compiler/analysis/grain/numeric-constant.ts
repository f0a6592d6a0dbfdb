import ts from 'typescript';
import { importedJson } from '../call-graph/json-modules.ts';
import { frozenTable } from '../call-graph/dispatch-tables.ts';
import { resolveName, symbolOf, unwrap } from '../call-graph/resolve.ts';
import { thisFieldConstant } from './instance-constants.ts';

const operators: Partial<Record<ts.SyntaxKind, (a: number, b: number) => number>> = {
  [ts.SyntaxKind.AsteriskToken]: (a, b) => a * b,
  [ts.SyntaxKind.SlashToken]: (a, b) => a / b,
  [ts.SyntaxKind.PlusToken]: (a, b) => a + b,
  [ts.SyntaxKind.MinusToken]: (a, b) => a - b,
  [ts.SyntaxKind.AsteriskAsteriskToken]: (a, b) => a ** b,
};

/** `MS.day`, `units['hour']`: a property of an object literal held by a const, or of a JSON module (`cfg.dayChars`). */
function propertyConstant(
  node: ts.Expression,
  name: string,
  checker: ts.TypeChecker,
  depth: number,
): number | undefined {
  if (!ts.isIdentifier(node)) return undefined;
  const owner = resolveName(node, checker);
  const written = owner.kind === 'variable' ? owner.node.initializer : importedJson(node, checker);
  // `{ … } as const satisfies Layout`, `Object.freeze({ … })`: the object written inside.
  const init = written && unwrap(frozenTable(unwrap(written)) ?? written);
  if (!init || !ts.isObjectLiteralExpression(init)) return undefined;
  for (const p of init.properties)
    if (ts.isPropertyAssignment(p) && p.name.getText().replace(/^['"]|['"]$/g, '') === name)
      return numericConstant(p.initializer, checker, depth + 1);
  return undefined;
}

/** The value of an enum member read as `Grain.Hour` (its declaration's, which the checker computes). */
function enumMemberValue(node: ts.PropertyAccessExpression, checker: ts.TypeChecker): string | number | undefined {
  const declaration = symbolOf(node.name, checker)?.valueDeclaration;
  return declaration && ts.isEnumMember(declaration) ? checker.getConstantValue(declaration) : undefined;
}

/** The numbers a helper's parameters hold for the call being read (a parameter absent here is unknown). */
export type ParameterConstants = ReadonlyMap<ts.Node, number>;
const noParameters: ParameterConstants = new Map();

/**
 * The number an expression always has, read without running it: literals,
 * arithmetic on them, and consts (`const DAY = 24 * HOUR`, imported or not).
 * Undefined for anything that could vary.
 */
export function numericConstant(
  node: ts.Expression,
  checker: ts.TypeChecker,
  depth = 0,
  bound: ParameterConstants = noParameters,
): number | undefined {
  if (depth > 16) return undefined;
  const inner = (e: ts.Expression) => numericConstant(e, checker, depth + 1, bound);
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))
    return inner(node.expression);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const operand = inner(node.operand);
    return operand === undefined ? undefined : -operand;
  }
  if (ts.isBinaryExpression(node)) {
    const apply = operators[node.operatorToken.kind];
    const left = apply && inner(node.left);
    const right = apply && inner(node.right);
    return apply && left !== undefined && right !== undefined ? apply(left, right) : undefined;
  }
  if (ts.isIdentifier(node)) {
    const resolved = resolveName(node, checker);
    // `step` of `floorTo(ms, step)` read for the call `floorTo(ws, HOUR)`: the number that call passes.
    if (resolved.kind === 'parameter') return bound.get(resolved.node);
    if (resolved.kind !== 'variable' || !resolved.node.initializer) return undefined;
    if ((resolved.node.parent.flags & ts.NodeFlags.Const) === 0) return undefined;
    return inner(resolved.node.initializer);
  }
  // `Grain.Hour` of `enum Grain { Minute = 60_000, Hour = 3_600_000 }`: the checker knows an enum member's value.
  const member = ts.isPropertyAccessExpression(node) ? enumMemberValue(node, checker) : undefined;
  if (typeof member === 'number') return member;
  // `'yyyy-mm-dd'.length`, `DAY_PATTERN.length` of a const text: the checker types it as its literal.
  if (ts.isPropertyAccessExpression(node) && node.name.text === 'length') {
    const text = checker.getTypeAtLocation(node.expression);
    if (text.isStringLiteral()) return text.value.length;
  }
  if (ts.isPropertyAccessExpression(node))
    return (
      thisFieldConstant(node, checker, bound, inner) ??
      propertyConstant(node.expression, node.name.text, checker, depth)
    );
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression))
    return propertyConstant(node.expression, node.argumentExpression.text, checker, depth);
  return undefined;
}
