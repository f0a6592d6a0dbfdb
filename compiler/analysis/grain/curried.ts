import ts from 'typescript';
import { isConst, resolveCallee, resolveName, unwrap, type FunctionNode } from '../call-graph/resolve.ts';
import { returnedFunction } from '../call-graph/returned-function.ts';

/** The function a factory call made, with the numbers the factory's parameters were given there. */
export interface Made {
  readonly target: FunctionNode;
  readonly constants: ReadonlyMap<ts.Node, number>;
}

/**
 * `bucket(5)(ws)`, or `toFive(ws)` with `const toFive = bucket(5)`, and `bucket = (minutes) => (ms) => …`:
 * the function the factory returns, read with `minutes` holding 5 — the unit is fixed where it is made.
 */
export function curriedCall(
  callee: ts.Expression,
  checker: ts.TypeChecker,
  constant: (e: ts.Expression) => number | undefined,
): Made | undefined {
  let made = unwrap(callee);
  if (ts.isIdentifier(made)) {
    const held = resolveName(made, checker);
    if (held.kind !== 'variable' || !isConst(held.node) || !held.node.initializer) return undefined;
    made = unwrap(held.node.initializer);
  }
  if (!ts.isCallExpression(made)) return undefined;
  const factory = resolveCallee(made, checker);
  const target = factory.kind === 'function' ? returnedFunction(factory.node, checker) : undefined;
  if (!target || factory.kind !== 'function') return undefined;
  const constants = new Map<ts.Node, number>();
  factory.node.parameters.forEach((p, i) => {
    const given = made.arguments[i] && constant(made.arguments[i]);
    if (given !== undefined) constants.set(p, given);
  });
  return { target, constants };
}
