import ts from 'typescript';
import { calleeName, resolveName, unwrap, type FunctionNode } from './resolve.ts';

/** Methods of an object built around a function that run that function: opossum's `breaker.fire(…)`. */
const runsWrapped = new Set(['fire']);

/** The initializer of the const a name holds (`const award = …`), unwrapped. */
function constInit(name: ts.Node, checker: ts.TypeChecker): ts.Expression | undefined {
  const resolved = resolveName(name, checker);
  if (resolved.kind !== 'variable' || !(resolved.node.parent.flags & ts.NodeFlags.Const)) return undefined;
  return resolved.node.initializer && unwrap(resolved.node.initializer);
}

/** `addPoints.bind(undefined, client)`, the const a called name holds when it was made by `bind`. */
export function boundCall(callee: ts.Expression, checker: ts.TypeChecker): ts.CallExpression | undefined {
  const init = ts.isIdentifier(callee) ? constInit(callee, checker) : undefined;
  return init &&
    ts.isCallExpression(init) &&
    ts.isPropertyAccessExpression(init.expression) &&
    init.expression.name.text === 'bind'
    ? init
    : undefined;
}

/**
 * Functions a call runs through an object made around them, which the call
 * graph cannot resolve by the callee's name: `award(…)` where `const award =
 * addPoints.bind(undefined, client)` (a partial application) runs
 * `addPoints`; `breaker.fire(…)` where `const breaker = new
 * CircuitBreaker(bumpStock, …)` (opossum) runs `bumpStock`.
 */
export function indirectTargets(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  functionOf: (expression: ts.Expression) => FunctionNode | undefined,
): FunctionNode[] {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) {
    const bound = boundCall(callee, checker)?.expression;
    const target = bound && ts.isPropertyAccessExpression(bound) ? functionOf(bound.expression) : undefined;
    return target ? [target] : [];
  }
  if (!ts.isPropertyAccessExpression(callee) || !runsWrapped.has(callee.name.text)) return [];
  const holder = calleeName(unwrap(callee.expression));
  const init = holder && ts.isIdentifier(holder) ? constInit(holder, checker) : undefined;
  const wrapped = init && ts.isNewExpression(init) ? init.arguments?.[0] : undefined;
  const target = wrapped && functionOf(wrapped);
  return target ? [target] : [];
}

/**
 * `breaker.fallback((p) => sendPoints(p))` where `const breaker = new CircuitBreaker(sendPoints, …)`
 * (opossum): the fallback runs when the wrapped call failed or timed out — and calls the same function
 * again, so a write that landed but answered late is sent twice. Returns the wrapped function then.
 */
export function resentByFallback(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  functionOf: (expression: ts.Expression) => FunctionNode | undefined,
): FunctionNode | undefined {
  const callee = unwrap(call.expression);
  const given = call.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'fallback' || !given) return undefined;
  const holder = unwrap(callee.expression);
  const init = ts.isIdentifier(holder) ? constInit(holder, checker) : undefined;
  const wrapped = init && ts.isNewExpression(init) ? init.arguments?.[0] : undefined;
  const target = wrapped && functionOf(wrapped);
  const fallback = functionOf(given);
  if (!target || !fallback) return undefined;
  let callsTarget = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(unwrap(node.expression)))
      callsTarget ||= functionOf(unwrap(node.expression)) === target;
    if (!callsTarget) ts.forEachChild(node, visit);
  };
  visit(fallback);
  return callsTarget ? target : undefined;
}
