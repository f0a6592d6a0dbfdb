import ts from 'typescript';
import { moduleInstance, resolveName, unwrap, type FunctionNode } from './resolve.ts';
import { hasModifier, inStaticMember } from './static-fields.ts';
import { isLibraryFile } from './package-exports.ts';

/**
 * Fields of class instances. A field initialised from the clock or
 * randomness (`private salt = randomUUID()`) holds another value in every
 * process; a field a method changes (`this.n += 1`) on an instance made once
 * at module level (`export const orderNumbers = new Sequence()`) is module
 * state by another name: a replayed event gets another number.
 */
export function instanceFieldOf(access: ts.Node, checker: ts.TypeChecker): ts.PropertyDeclaration | undefined {
  if (!ts.isPropertyAccessExpression(access) || unwrap(access.expression).kind !== ts.SyntaxKind.ThisKeyword)
    return undefined;
  if (inStaticMember(access)) return undefined;
  const declaration = checker.getSymbolAtLocation(access.name)?.valueDeclaration;
  return declaration && ts.isPropertyDeclaration(declaration) && !hasModifier(declaration, ts.SyntaxKind.StaticKeyword)
    ? declaration
    : undefined;
}

/** What `this.x` may hold, as its class gives it a value: see {@link instanceFieldValues}. */
export interface FieldValues {
  readonly declaration: ts.PropertyDeclaration | ts.ParameterDeclaration;
  readonly values: readonly ts.Expression[];
}

/**
 * The values a class gives the field `this.x` reads, where it gives them:
 * the field's initializer and each `this.x = …` of its constructor (which
 * runs once an instance: `this.generation = new Date()…`), or, for a
 * parameter property (`constructor(private readonly width = 13)`), the
 * parameter's default, which the caller decides about (see DefaultParameters).
 */
export function instanceFieldValues(
  access: ts.Node,
  checker: ts.TypeChecker,
  constructorSet?: ReadonlySet<string>,
): FieldValues | undefined {
  if (!ts.isPropertyAccessExpression(access) || inStaticMember(access)) return undefined;
  const onThis = unwrap(access.expression).kind === ts.SyntaxKind.ThisKeyword;
  // Another receiver (`RunInfo.get().startedAt`): only names some constructor sets, not to type every read.
  if (!onThis && !constructorSet?.has(access.name.text)) return undefined;
  const declaration = checker.getSymbolAtLocation(access.name)?.valueDeclaration;
  if (onThis && declaration && ts.isParameter(declaration) && ts.isConstructorDeclaration(declaration.parent))
    return { declaration, values: declaration.initializer ? [declaration.initializer] : [] };
  if (!declaration || !ts.isPropertyDeclaration(declaration) || hasModifier(declaration, ts.SyntaxKind.StaticKeyword))
    return undefined;
  if (!onThis && (isLibraryFile(declaration.getSourceFile()) || ts.isBinaryExpression(access.parent))) return undefined;
  const values: ts.Expression[] = declaration.initializer ? [declaration.initializer] : [];
  for (const member of declaration.parent.members)
    if (ts.isConstructorDeclaration(member) && member.body)
      for (const assigned of constructorAssignments(member.body))
        if (assigned.field === declaration.name.getText()) values.push(assigned.value);
  return { declaration, values };
}

/** `this.x = v` in a constructor's body: the field's name and the value. */
function constructorAssignments(body: ts.Node): { readonly field: string; readonly value: ts.Expression }[] {
  const found: { field: string; value: ts.Expression }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      unwrap(node.left.expression).kind === ts.SyntaxKind.ThisKeyword
    )
      found.push({ field: node.left.name.text, value: node.right });
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/**
 * The names of instance fields given a value when an instance is made, found once a program: set by a
 * constructor (`this.startedAt = Date.now()`) or by an initializer that calls something (`readonly id =
 * randomUUID()`, which runs at each `new` as a constructor's line would). A read of such a name on any
 * receiver (`RunInfo.get().startedAt`, `row.id` of `new EventRow(…)`) asks the checker which field it
 * is; other reads are not typed.
 */
export function constructorSetFields(program: ts.Program): ReadonlySet<string> {
  let names = constructorSetOf.get(program);
  if (names) return names;
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isConstructorDeclaration(node) && node.body)
      for (const assigned of constructorAssignments(node.body)) found.add(assigned.field);
    if (isComputedPerInstance(node)) found.add(node.name.getText());
    ts.forEachChild(node, visit);
  };
  for (const file of program.getSourceFiles()) if (!isLibraryFile(file)) visit(file);
  constructorSetOf.set(program, (names = found));
  return names;
}
const constructorSetOf = new WeakMap<ts.Program, ReadonlySet<string>>();

/** `readonly id = randomUUID()`: an instance field whose initializer calls or makes something. */
function isComputedPerInstance(node: ts.Node): node is ts.PropertyDeclaration {
  if (!ts.isPropertyDeclaration(node) || !node.initializer || hasModifier(node, ts.SyntaxKind.StaticKeyword))
    return false;
  const calls = (n: ts.Node): boolean =>
    ts.isCallExpression(n) || ts.isNewExpression(n) || (!isFunctionLike(n) && ts.forEachChild(n, calls) === true);
  return calls(node.initializer);
}

const isFunctionLike = (n: ts.Node): boolean => ts.isArrowFunction(n) || ts.isFunctionExpression(n);

/**
 * `orderNumbers` of `orderNumbers.next()` or of the getter read `turn.next`, when it names one instance for the
 * process: a module-level variable holding `new C(…)`, or a module's default export `new C(…)` (moduleInstance).
 */
export function moduleInstanceOf(
  use: ts.CallExpression | ts.NewExpression | ts.PropertyAccessExpression,
  checker: ts.TypeChecker,
): string | undefined {
  const callee = ts.isPropertyAccessExpression(use) ? use : unwrap(use.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const receiver = unwrap(callee.expression);
  return ts.isIdentifier(receiver) && moduleInstance(receiver, checker) ? receiver.text : undefined;
}

/**
 * The first write, in a method of its class other than the constructor, of
 * a field that `method` returns (`returned`: its returned expressions): `next() { this.n += 1; return this.n; }`.
 */
export function changedFieldReturned(
  method: FunctionNode,
  returned: readonly ts.Expression[],
  checker: ts.TypeChecker,
  isWrite: (node: ts.Node) => ts.Expression | undefined,
): { readonly field: string; readonly write: ts.Node } | undefined {
  const accessor = ts.isMethodDeclaration(method) || ts.isGetAccessorDeclaration(method);
  if (!accessor || hasModifier(method, ts.SyntaxKind.StaticKeyword)) return undefined;
  const fields = new Set<ts.PropertyDeclaration>();
  const followed = new Set<ts.Node>();
  const collect = (node: ts.Node): void => {
    const field = instanceFieldOf(node, checker);
    if (field) fields.add(field);
    // `const v = this.i % 4; … return v;`: a local of the method holds what its initializer read.
    const local = ts.isIdentifier(node) ? resolveName(node, checker) : undefined;
    if (
      local?.kind === 'variable' &&
      local.node.initializer &&
      !followed.has(local.node) &&
      within(local.node, method)
    ) {
      followed.add(local.node);
      collect(local.node.initializer);
    }
    ts.forEachChild(node, collect);
  };
  for (const expression of returned) collect(expression);
  for (const field of fields) {
    const write = laterWriteOf(field, checker, isWrite);
    if (write) return { field: field.name.getText(), write };
  }
  return undefined;
}

/** A write of `field` in a method (not the constructor, which runs once an instance) of its class. */
function laterWriteOf(
  field: ts.PropertyDeclaration,
  checker: ts.TypeChecker,
  isWrite: (node: ts.Node) => ts.Expression | undefined,
): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const target = isWrite(node);
    if (target && instanceFieldOf(target, checker) === field) found = node;
    else ts.forEachChild(node, visit);
  };
  for (const member of field.parent.members)
    if (!ts.isConstructorDeclaration(member) && !ts.isPropertyDeclaration(member)) visit(member);
  return found;
}

const within = (node: ts.Node, fn: ts.Node): boolean => ts.findAncestor(node, (n) => n === fn) !== undefined;
