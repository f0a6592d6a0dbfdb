import ts from 'typescript';
import { parseFunction } from './parse-function.ts';

/** Names every JavaScript realm has (Math, Date, JSON, …): using them is not a capture. */
const globals = new Set(Object.getOwnPropertyNames(globalThis));

/**
 * The free names a user function reads: identifiers it neither declares
 * (parameters, locals, inner functions) nor gets from the global object.
 * Those are what a closure captures — and what Beam, which ships functions
 * to workers as source, cannot see there.
 */
export function freeNames(source: string): string[] {
  const fn = parseFunction(source);
  if (!fn?.body) return [];
  const declared = new Set<string>();
  const declare = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) declared.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) declare(element.name);
  };
  const collect = (node: ts.Node): void => {
    if (ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isBindingElement(node)) declare(node.name);
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassDeclaration(node)) && node.name)
      declared.add(node.name.text);
    if (ts.isCatchClause(node) && node.variableDeclaration) declare(node.variableDeclaration.name);
    ts.forEachChild(node, collect);
  };
  collect(fn);
  const free = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isIdentifier(node) &&
      isReference(node) &&
      !declared.has(node.text) &&
      !globals.has(node.text) &&
      node.text !== 'arguments'
    )
      free.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return [...free].sort();
}

/** Is this identifier a read of a variable (not a property name, a label, or a declaration)? */
function isReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (
    (ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) &&
    parent.name === id
  )
    return false;
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  if ((ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) && parent.label === id) return false;
  if (
    ts.isParameter(parent) ||
    ts.isVariableDeclaration(parent) ||
    ts.isFunctionDeclaration(parent) ||
    ts.isFunctionExpression(parent)
  )
    return parent.name !== id;
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  return true;
}
