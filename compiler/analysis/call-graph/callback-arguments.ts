import ts from 'typescript';
import { resolveCallee, symbolOf, unwrap } from './resolve.ts';

/**
 * What a callback's parameter is given, where the program shows it: for
 * `stamped((ts) => write(ts))`, the argument at `ts`'s place in every call
 * `stamped` makes of the callback (`return fn(new Date())`); for
 * `allocateEventId().then((id) => write(id))`, the promise's value (the
 * expression `.then` is called on). Nothing for a callback handed to a
 * library (`rows.map((r) => …)`): its arguments come from data.
 */
export function callbackArguments(parameter: ts.ParameterDeclaration, checker: ts.TypeChecker): ts.Expression[] {
  const callback = parameter.parent;
  if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return [];
  const call = callback.parent;
  if (!ts.isCallExpression(call)) return [];
  const place = callback.parameters.indexOf(parameter);
  const argument = call.arguments.indexOf(callback);
  if (argument < 0 || parameter.dotDotDotToken) return [];
  const callee = unwrap(call.expression);
  // `promise.then((value) => …)`: the first parameter of the first handler is what the promise resolves to.
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'then')
    return argument === 0 && place === 0 ? [callee.expression] : [];
  const resolved = resolveCallee(call, checker);
  const receiver = resolved.kind === 'function' ? resolved.node.parameters[argument] : undefined;
  if (resolved.kind !== 'function' || !receiver || !ts.isIdentifier(receiver.name) || !resolved.node.body) return [];
  const own = checker.getSymbolAtLocation(receiver.name);
  const given: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && symbolOf(node.expression, checker) === own) {
      const passed = node.arguments[place];
      if (passed && !node.arguments.slice(0, place + 1).some(ts.isSpreadElement)) given.push(passed);
    }
    ts.forEachChild(node, visit);
  };
  visit(resolved.node.body);
  return given;
}
