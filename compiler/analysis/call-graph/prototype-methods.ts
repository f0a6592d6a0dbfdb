import ts from 'typescript';
import { isFunctionNode, unwrap, type FunctionNode } from './resolve.ts';

/** Per file: class name → method name → the function attached to its prototype there. */
const perFile = new WeakMap<ts.SourceFile, Map<string, Map<string, FunctionNode>>>();

/** `C.prototype` written out: the class name, or undefined. */
function prototypeOf(node: ts.Expression): string | undefined {
  const inner = unwrap(node);
  return ts.isPropertyAccessExpression(inner) && inner.name.text === 'prototype' && ts.isIdentifier(inner.expression)
    ? inner.expression.text
    : undefined;
}

/** The methods an object literal holds: `handle() {…}`, `handle: async () => …`, `handle: function () {…}`. */
function methodsOf(object: ts.ObjectLiteralExpression): [string, FunctionNode][] {
  return object.properties.flatMap((p): [string, FunctionNode][] => {
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return [];
    if (ts.isMethodDeclaration(p)) return [[p.name.text, p]];
    const value = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
    return value && isFunctionNode(value) ? [[p.name.text, value]] : [];
  });
}

/** Every `Object.assign(C.prototype, { … })` and `C.prototype.m = function …` of a file, indexed once. */
function attachedIn(file: ts.SourceFile): Map<string, Map<string, FunctionNode>> {
  let index = perFile.get(file);
  if (index) return index;
  const found = new Map<string, Map<string, FunctionNode>>();
  const add = (owner: string, name: string, fn: FunctionNode) =>
    found.set(owner, (found.get(owner) ?? new Map<string, FunctionNode>()).set(name, fn));
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText() === 'Object.assign' && node.arguments.length >= 2) {
      const owner = prototypeOf(node.arguments[0]!);
      for (const source of owner ? node.arguments.slice(1) : []) {
        const object = unwrap(source);
        if (ts.isObjectLiteralExpression(object)) for (const [name, fn] of methodsOf(object)) add(owner!, name, fn);
      }
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = unwrap(node.left);
      const owner = ts.isPropertyAccessExpression(target) ? prototypeOf(target.expression) : undefined;
      const value = unwrap(node.right);
      if (owner && isFunctionNode(value)) add(owner, (target as ts.PropertyAccessExpression).name.text, value);
    }
    ts.forEachChild(node, visit);
  };
  if (file.text.includes('.prototype')) visit(file);
  perFile.set(file, (index = found));
  return index;
}

/**
 * `likes.handle(p)` where `handle` is attached to the class after its
 * declaration — `Object.assign(LikeCounter.prototype, { handle() {…} })` or
 * `LikeCounter.prototype.handle = function …` in the class's module — which
 * the checker knows only as an interface's signature, or not at all. Asked
 * only when the member resolved to no function: the receiver's type is
 * computed then.
 */
export function prototypeMethod(
  callee: ts.PropertyAccessExpression,
  checker: ts.TypeChecker,
): FunctionNode | undefined {
  const symbol = checker.getTypeAtLocation(callee.expression).getSymbol();
  const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
  if (!declaration?.name) return undefined;
  return attachedIn(declaration.getSourceFile()).get(declaration.name.text)?.get(callee.name.text);
}
