import ts from 'typescript';
import { calleeName, isFunctionNode, resolveCallee, resolveName, unwrap, type FunctionNode } from './resolve.ts';

/**
 * The functions of the program a call runs, each with the node a finding inside it is placed at: the callee
 * (unless written in place), else what `otherwise` finds (a method of an instance), then functions passed by
 * name as callbacks.
 */
export function calledHelpers(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  otherwise?: () => FunctionNode | undefined,
): [ts.Node, FunctionNode][] {
  const targets: [ts.Node, FunctionNode][] = [];
  const callee = resolveCallee(call, checker);
  if (callee.kind === 'function' && !isFunctionNode(unwrap(call.expression))) targets.push([call, callee.node]);
  else {
    const method = otherwise?.();
    if (method) targets.push([call, method]);
  }
  for (const arg of call.arguments) {
    const inner = unwrap(arg);
    const named = ts.isIdentifier(inner) ? resolveName(inner, checker) : undefined;
    if (named?.kind === 'function') targets.push([arg, named.node]);
  }
  return targets;
}

/** A finding reached through a helper: placed at the helper's call (its name) or the callback passed, the helper first in its chain. */
export function throughHelper<T extends { readonly at: ts.Node; readonly via: readonly string[] }>(
  at: ts.Node,
  inner: T,
): T {
  const name = ts.isCallExpression(at) ? calleeName(at.expression)?.getText() : at.getText();
  const place = ts.isCallExpression(at) ? (calleeName(at.expression) ?? at) : at;
  return { ...inner, at: place, via: [name ?? 'a helper', ...inner.via] };
}
