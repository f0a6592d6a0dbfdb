import ts from 'typescript';
import { isFunctionNode, resolveName, unwrap } from './resolve.ts';

/** `.catch(h)` or `.then(ok, h)`: the failure handler a promise-chain call adds, if `call` adds one. */
export function failureHandlerOf(call: ts.CallExpression): ts.Expression | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (callee.name.text === 'catch') return call.arguments[0];
  if (callee.name.text === 'then') return call.arguments[1];
  return undefined;
}

/** `logger.error.bind(logger)` hands over `logger.error`. */
export function unbound(expression: ts.Expression): ts.Expression {
  const node = unwrap(expression);
  return ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'bind'
    ? unbound(node.expression.expression)
    : node;
}

/** Does the body throw, or hand back a rejected promise (`Promise.reject(e)`), outside its own nested functions? */
export function throwsAgain(body: ts.Node): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node)) return false;
    if (ts.isThrowStatement(node)) return true;
    if (ts.isCallExpression(node) && /(^|\.)Promise\.reject$/.test(node.expression.getText())) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(body);
}

/** The function a handler handed over by name stands for, when it is one of the program's. */
function namedFunction(
  handler: ts.Expression,
  checker: ts.TypeChecker | undefined,
): ts.FunctionLikeDeclaration | undefined {
  if (!checker) return undefined;
  const name = ts.isIdentifier(handler) ? handler : ts.isPropertyAccessExpression(handler) ? handler.name : undefined;
  const resolved = name ? resolveName(name, checker) : undefined;
  return resolved?.kind === 'function' ? resolved.node : undefined;
}

/** Names of calls that report a failure and return: loggers, consoles, error trackers, metrics. */
export const reportingName =
  /^(log|error|warn|warning|info|debug|trace|fatal|captureException|captureMessage|increment|inc)$/;

/**
 * Does a promise's failure handler end the failure, so the chain resolves
 * and the code after it runs on (the next turn of a loop)? An inline
 * function that neither throws nor returns `Promise.reject(…)`; a function of
 * the program handed over by name, judged by its body; a logger's method
 * (`logger.error`, `console.warn`). Anything else is not known to, and is not
 * counted: a rethrowing `logAndRethrow` ends nothing.
 */
export function endsFailure(handler: ts.Expression, checker?: ts.TypeChecker): boolean {
  const target = unbound(handler);
  const fn = isFunctionNode(target) ? target : namedFunction(target, checker);
  if (fn?.body) return !throwsAgain(fn.body);
  if (!ts.isPropertyAccessExpression(target)) return false;
  const onConsole = ts.isIdentifier(target.expression) && target.expression.text === 'console';
  return onConsole || reportingName.test(target.name.text);
}
