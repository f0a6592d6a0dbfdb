import ts from 'typescript';
import { calleeName, isFunctionNode, resolveName, unwrap, type FunctionNode } from './resolve.ts';

/** The function a factory hands back: `return function (method, context) { … }`, or an arrow's expression body. */
export function returnedFunction(factory: FunctionNode, checker: ts.TypeChecker): FunctionNode | undefined {
  const named = (expression: ts.Expression): FunctionNode | undefined => {
    const inner = unwrap(expression);
    if (isFunctionNode(inner)) return inner;
    const name = calleeName(inner);
    const resolved = name ? resolveName(name, checker) : undefined;
    return resolved?.kind === 'function' ? resolved.node : undefined;
  };
  const body = factory.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return named(body);
  let found: FunctionNode | undefined;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node)) return;
    if (ts.isReturnStatement(node) && node.expression) found = named(node.expression);
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}
