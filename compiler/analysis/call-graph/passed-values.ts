import ts from 'typescript';
import type { ParameterArguments } from './call-sites.ts';
import { heldValue, memberValue } from './held-values.ts';
import { resolveName, unwrap } from './resolve.ts';

const isThisMember = (node: ts.Expression): boolean =>
  ts.isPropertyAccessExpression(node) && unwrap(node.expression).kind === ts.SyntaxKind.ThisKeyword;

/** The constructor parameter a field is given from: `this.clock = clock` in the constructor. */
function assignedInConstructor(
  field: ts.PropertyDeclaration,
  checker: ts.TypeChecker,
): ts.ParameterDeclaration | undefined {
  const constructor = field.parent.members.find(ts.isConstructorDeclaration);
  let found: ts.ParameterDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(unwrap(node.left)) &&
      isThisMember(unwrap(node.left)) &&
      checker.getSymbolAtLocation((unwrap(node.left) as ts.PropertyAccessExpression).name)?.valueDeclaration ===
        field &&
      ts.isIdentifier(unwrap(node.right))
    ) {
      const source = resolveName(unwrap(node.right), checker);
      if (source.kind === 'parameter' && ts.isParameter(source.node) && source.node.parent === constructor)
        found = source.node;
    }
    ts.forEachChild(node, visit);
  };
  if (constructor?.body) ts.forEachChild(constructor.body, visit);
  return found;
}

/**
 * The parameter a value comes from when a function other than the one that
 * declares it reads it: `fallback` in the arrow a factory returns
 * (`(fallback) => (e) => e.ts ?? fallback()`), `this.clock` in a method with
 * `constructor(private clock: Clock)` or `this.clock = clock`. Its value is
 * then whatever the factory's or the constructor's callers passed.
 */
export function capturedParameter(node: ts.Expression, checker: ts.TypeChecker): ts.ParameterDeclaration | undefined {
  const inner = unwrap(node);
  if (ts.isPropertyAccessExpression(inner) && isThisMember(inner)) {
    const field = checker.getSymbolAtLocation(inner.name)?.valueDeclaration;
    if (field && ts.isParameter(field) && ts.isConstructorDeclaration(field.parent)) return field;
    return field && ts.isPropertyDeclaration(field) && !field.initializer && ts.isClassLike(field.parent)
      ? assignedInConstructor(field, checker)
      : undefined;
  }
  if (!ts.isIdentifier(inner)) return undefined;
  const resolved = resolveName(inner, checker);
  if (resolved.kind !== 'parameter' || !ts.isParameter(resolved.node)) return undefined;
  const reader = ts.findAncestor(inner.parent, ts.isFunctionLike);
  return reader && reader !== resolved.node.parent ? resolved.node : undefined;
}

/** A function value a call may run, and the argument, at some call of a factory or a constructor, it came from. */
export interface PassedCallee {
  readonly value: ts.Node;
  readonly passed: ts.Expression;
}

/**
 * What a call of a captured parameter (`fallback()`) or of its method
 * (`this.clock.now()`) runs: for each value the program passes for that
 * parameter, the function it holds or the method of the object it holds.
 * Every caller counts: the closure or instance cannot tell which one made it.
 */
export function passedCallees(
  callee: ts.Expression,
  checker: ts.TypeChecker,
  passed: ParameterArguments,
  defaultUsed: (parameter: ts.ParameterDeclaration) => boolean,
): PassedCallee[] {
  const node = unwrap(callee);
  const method = ts.isPropertyAccessExpression(node) && !isThisMember(node) ? node : undefined;
  // `deps.ids.next()`: a method of an object held by a property of the parameter (a factory's deps object).
  const path: string[] = [];
  let holder = method ? unwrap(method.expression) : node;
  while (method && ts.isPropertyAccessExpression(holder) && !isThisMember(holder) && path.length < maxPath) {
    path.unshift(holder.name.text);
    holder = unwrap(holder.expression);
  }
  const parameter = capturedParameter(holder, checker);
  if (!parameter || (method && !typedByName(method.expression, parameter, path, checker))) return [];
  const found: PassedCallee[] = [];
  for (const argument of passed.of(parameter)) {
    let held = heldValue(argument, checker, defaultUsed);
    for (const step of path) {
      const member = held && memberValue(held, step, checker);
      held = member && ts.isExpression(member) ? heldValue(member, checker, defaultUsed) : undefined;
    }
    const value = held && (method ? memberValue(held, method.name.text, checker) : held);
    if (value) found.push({ value, passed: argument });
  }
  return found;
}

/** How many properties deep (`deps.ids.next()`) a method's object is followed from the parameter. */
const maxPath = 2;

/**
 * A method is looked for only on an object typed by a named type (a class or
 * an interface: `deps: Clock`, `ids: IdSource` of `deps: { ids: IdSource }`),
 * not on data.
 */
function typedByName(
  receiver: ts.Expression,
  parameter: ts.ParameterDeclaration,
  path: readonly string[],
  checker: ts.TypeChecker,
): boolean {
  if (path.length === 0) return parameter.type !== undefined && ts.isTypeReferenceNode(parameter.type);
  const declared = checker.getTypeAtLocation(receiver).getSymbol()?.declarations?.[0];
  return declared !== undefined && (ts.isInterfaceDeclaration(declared) || ts.isClassDeclaration(declared));
}
