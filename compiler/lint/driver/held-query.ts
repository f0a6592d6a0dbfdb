import { Node, type ObjectLiteralExpression } from 'ts-morph';
import type ts from 'typescript';
import { objectOf, propertyValue } from '../../analysis/call-graph/object-property.ts';
import { returnedExpressions } from '../../analysis/call-graph/returned-expressions.ts';
import { wrapInProject } from '../find-nodes.ts';

/** The compiler's own node and checker: ts-morph bundles the same TypeScript under another type (see morph.ts). */
const raw = (node: Node) => node.compilerNode as unknown as ts.Expression;
const checkerOf = (node: Node) => node.getProject().getTypeChecker().compilerObject as unknown as ts.TypeChecker;

/**
 * The expression a query held in an object comes from (unseen round 8, U8D): `stmt.query`, or
 * `query` of `const { query, params } = updateFor(usage)`, where the object is one the program
 * writes out or a function of the program returns (`return { query: \`UPDATE …\`, params }`).
 * Undefined when the object cannot be read.
 */
export function heldQuery(node: Node): Node | undefined {
  if (Node.isPropertyAccessExpression(node)) return propertyOf(node, raw(node.getExpression()), node.getName());
  if (!Node.isIdentifier(node)) return undefined;
  const declaration = node.getSymbol()?.getDeclarations()[0];
  if (!declaration || !Node.isBindingElement(declaration) || declaration.getDotDotDotToken()) return undefined;
  const pattern = declaration.getParent();
  const variable = pattern.getParent();
  if (!Node.isObjectBindingPattern(pattern) || !Node.isVariableDeclaration(variable)) return undefined;
  const source = variable.getInitializer();
  const name = declaration.getPropertyNameNode()?.getText() ?? declaration.getName();
  return source && propertyOf(node, raw(source), name);
}

function propertyOf(anchor: Node, receiver: ts.Expression, name: string): Node | undefined {
  const value = propertyValue(receiver, name, checkerOf(anchor), returnedExpressions, 0, true);
  return value === undefined || value === 'absent' ? undefined : wrapInProject(anchor, value);
}

/** The object literal a batch item made by a call is: `d.toStatement()` returning `{ query, params }`. */
export function returnedStatement(item: Node): ObjectLiteralExpression | undefined {
  if (!Node.isCallExpression(item)) return undefined;
  const object = objectOf(raw(item), checkerOf(item), returnedExpressions, 0, true);
  return object && wrapInProject(item, object);
}
