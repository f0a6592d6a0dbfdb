import ts from 'typescript';

/**
 * The function a call runs: `op` of `op()`, of `op.apply(this, args)` and
 * `op.call(this, x)` (a decorator's wrapper calling the method it wraps), and
 * of `Reflect.apply(op, this, args)`.
 */
export function invokedBy(call: ts.CallExpression): ts.Expression {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && /^(apply|call)$/.test(callee.name.text)) {
    if (ts.isIdentifier(callee.expression) && callee.expression.text === 'Reflect') return call.arguments[0] ?? callee;
    return callee.expression;
  }
  return callee;
}
