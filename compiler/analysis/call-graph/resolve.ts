import ts from 'typescript';
import { isLibraryFile, packageExportOfSymbol } from './package-exports.ts';
import { containerMethod } from './container-lookup.ts';
import { soleImplementation } from './implementations.ts';
import { prototypeMethod } from './prototype-methods.ts';
import { unwrap } from './unwrap.ts';

export type FunctionNode = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** What a name or a callee stands for, as far as the call graph can see. */
export type Resolved =
  | { readonly kind: 'function'; readonly node: FunctionNode }
  | { readonly kind: 'variable'; readonly node: ts.VariableDeclaration }
  | { readonly kind: 'parameter'; readonly node: ts.ParameterDeclaration | ts.BindingElement }
  /** Declared by a library (a `.d.ts` or a file in node_modules): judged by its name only. */
  | { readonly kind: 'external' }
  | { readonly kind: 'unresolved'; readonly why: string }
  /** A module of the program (`import * as time from './time.ts'`): its members are followed. */
  | { readonly kind: 'module' }
  /** Something else (a class, an enum, a property of data): nothing to follow. */
  | { readonly kind: 'other' };

export const isFunctionNode = (node: ts.Node): node is FunctionNode =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node);

export { unwrap };

/** `const x = …` (not `let`, `var`). */
export const isConst = (declaration: ts.VariableDeclaration) => (declaration.parent.flags & ts.NodeFlags.Const) !== 0;

/** A variable declared at the top of its module: it lives as long as the process. */
export const isModuleLevel = (declaration: ts.VariableDeclaration) =>
  ts.isVariableStatement(declaration.parent.parent) && ts.isSourceFile(declaration.parent.parent.parent);

/** The symbol a name refers to, through imports, renames and re-exports (`export { x as y } from './z'`). */
export function symbolOf(name: ts.Node, checker: ts.TypeChecker): ts.Symbol | undefined {
  let symbol = checker.getSymbolAtLocation(name);
  if (!symbol && ts.isShorthandPropertyAssignment(name.parent) && name.parent.name === name)
    symbol = checker.getShorthandAssignmentValueSymbol(name.parent);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol;
}

/** The node naming a callee: `f` in `f()`, `g` in `a.b.g()`. */
export function calleeName(callee: ts.Expression): ts.Node | undefined {
  const inner = unwrap(callee);
  if (ts.isIdentifier(inner)) return inner;
  if (ts.isPropertyAccessExpression(inner)) return inner.name;
  return undefined;
}

/** The declaration a name refers to, classified. Functions are followed through `const f = …` and object properties. */
export function resolveName(name: ts.Node, checker: ts.TypeChecker): Resolved {
  // `{ onOrder }` names the function `onOrder` as a value; the checker's symbol there is the new property.
  const shorthand = ts.isShorthandPropertyAssignment(name.parent) && name.parent.name === name;
  let symbol = shorthand ? checker.getShorthandAssignmentValueSymbol(name.parent) : checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
    // A package's export (`'node:crypto'`, `'uuid'`) is a library's, whether or not its types are installed,
    // imported from the package or from a barrel of the program that re-exports it.
    if (packageExportOfSymbol(symbol, checker)) return { kind: 'external' };
    symbol = checker.getAliasedSymbol(symbol);
  }
  const declaration = symbol && implementationOf(symbol);
  if (!symbol || !declaration)
    return { kind: 'unresolved', why: 'its declaration was not found (an unresolved import or an undeclared name)' };
  if (isLibraryFile(declaration.getSourceFile())) return { kind: 'external' };
  if (ts.isSourceFile(declaration) || ts.isModuleDeclaration(declaration)) return { kind: 'module' };
  return classify(declaration);
}

/**
 * The declaration a symbol runs: an overloaded function's or method's
 * signatures come first and have no body (the checker's value declaration
 * is the first of them); the implementation is the one with a body.
 */
function implementationOf(symbol: ts.Symbol): ts.Declaration | undefined {
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!declaration || !isFunctionNode(declaration) || declaration.body) return declaration;
  return symbol.declarations?.find((d) => isFunctionNode(d) && d.body !== undefined) ?? declaration;
}

function classify(declaration: ts.Node): Resolved {
  // `export default () => new Date()`: the default export is the function it names.
  if (ts.isExportAssignment(declaration)) {
    const exported = unwrap(declaration.expression);
    if (ts.isArrowFunction(exported) || ts.isFunctionExpression(exported)) return { kind: 'function', node: exported };
    return { kind: 'other' };
  }
  if (isFunctionNode(declaration))
    return declaration.body
      ? { kind: 'function', node: declaration }
      : { kind: 'unresolved', why: 'it is declared without a body' };
  if (ts.isParameter(declaration) || ts.isBindingElement(declaration)) return { kind: 'parameter', node: declaration };
  if (ts.isVariableDeclaration(declaration)) {
    const init = declaration.initializer && unwrap(declaration.initializer);
    if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return { kind: 'function', node: init };
    return { kind: 'variable', node: declaration };
  }
  // CommonJS `exports.bump = async function bump(…) {…}` (or `module.exports.bump = …`): the function assigned.
  const assigned = commonJsAssignment(declaration);
  if (assigned) return { kind: 'function', node: assigned };
  if ((ts.isPropertyAssignment(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.initializer) {
    const init = unwrap(declaration.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return { kind: 'function', node: init };
  }
  return { kind: 'other' };
}

/** The function a CommonJS export assignment (`exports.x = function …`, `module.exports.x = () => …`) gives. */
function commonJsAssignment(declaration: ts.Node): ts.ArrowFunction | ts.FunctionExpression | undefined {
  const assignment = ts.isPropertyAccessExpression(declaration) ? declaration.parent : declaration;
  if (
    !ts.isBinaryExpression(assignment) ||
    assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken ||
    !ts.isPropertyAccessExpression(assignment.left)
  )
    return undefined;
  const value = unwrap(assignment.right);
  return ts.isArrowFunction(value) || ts.isFunctionExpression(value) ? value : undefined;
}

/**
 * The `new C(…)` a name holds for the whole process: a module-level variable's
 * (`export const turn = new Turn()`), or a module's default export
 * (`export default new (class { … })()`, imported under any name).
 */
export function moduleInstance(name: ts.Identifier, checker: ts.TypeChecker): ts.NewExpression | undefined {
  const symbol = symbolOf(name, checker);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!declaration || isLibraryFile(declaration.getSourceFile())) return undefined;
  const made = ts.isExportAssignment(declaration)
    ? declaration.expression
    : ts.isVariableDeclaration(declaration) && isModuleLevel(declaration)
      ? declaration.initializer
      : undefined;
  const instance = made && unwrap(made);
  return instance && ts.isNewExpression(instance) ? instance : undefined;
}

/** A name imported as a module's default export that is an object literal (`export default { … }`). */
function defaultExportedObject(name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const declaration = symbolOf(name, checker)?.declarations?.[0];
  return (
    declaration !== undefined &&
    ts.isExportAssignment(declaration) &&
    !isLibraryFile(declaration.getSourceFile()) &&
    ts.isObjectLiteralExpression(unwrap(declaration.expression))
  );
}

/**
 * What a call calls. A method is resolved only on `this` or `super`, on a field of
 * `this`, on a module of the program, on an object literal or `new`
 * instance of the program, or on a parameter declared with a named type:
 * `rows.map()` or
 * `e.key.trim()` are methods of values, judged by name — and resolving them
 * would make the checker type their receivers, the costly part.
 */
export function resolveCallee(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): Resolved {
  const callee = unwrap(call.expression);
  if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return { kind: 'function', node: callee };
  if (ts.isIdentifier(callee)) return resolveName(callee, checker);
  if (!ts.isPropertyAccessExpression(callee)) return { kind: 'other' };
  const receiver = unwrap(callee.expression);
  // `super.persist(…)` runs the base class's method, as `this.persist(…)` runs the inherited one.
  if (receiver.kind !== ts.SyntaxKind.ThisKeyword && receiver.kind !== ts.SyntaxKind.SuperKeyword) {
    // `this.retrier.run(…)`, `this.counters.bump(…)`: a field of the class, typed from its declaration.
    if (isThisMember(receiver)) return memberOf(callee, checker);
    // `container.resolve(LikesRepository).like(…)`, `repo.like(…)` of such a look-up: a class of the program.
    const looked = containerMethod(receiver, callee.name.text, checker);
    if (looked) return { kind: 'function', node: looked };
    if (!ts.isIdentifier(receiver)) return { kind: 'other' };
    const owner = resolveName(receiver, checker);
    const init = owner.kind === 'variable' && owner.node.initializer ? unwrap(owner.node.initializer) : undefined;
    // An object literal of the program, or an instance it makes itself (`const ids = new IdSource()`).
    const known = init !== undefined && (ts.isObjectLiteralExpression(init) || madeWithNew(init));
    if (owner.kind === 'external') return owner;
    // `import ids from './ids.ts'` of `export default new (class { … })()`: an instance the program makes.
    if (owner.kind === 'other' && moduleInstance(receiver, checker)) return memberOf(callee, checker);
    // `import ids from './ids.ts'` of `export default { eventId(v) { … } }`: a method of the program's object.
    if (owner.kind === 'other' && defaultExportedObject(receiver, checker)) return memberOf(callee, checker);
    // `IdFactory.next(…)`: a static method of a class of the program.
    if (owner.kind === 'other' && isProgramClass(receiver, checker)) return memberOf(callee, checker);
    // `(db: Db) => db.write(…)`: a parameter declared with a class or interface of the program.
    if (
      owner.kind === 'parameter' &&
      ts.isParameter(owner.node) &&
      owner.node.type &&
      ts.isTypeReferenceNode(owner.node.type)
    )
      return memberOf(callee, checker);
    // `.map((r) => new Visit(…)).groupBy((v) => v.bucket())`: a callback's parameter the checker types with a
    // class of the program (asked only of unannotated parameters of arrows, the callbacks of a DSL step).
    if (owner.kind === 'parameter' && isInferredCallbackParameter(owner.node) && isProgramClassType(receiver, checker))
      return memberOf(callee, checker);
    if (owner.kind !== 'module' && !known) return { kind: 'other' };
    if (owner.kind !== 'module' && !ts.isObjectLiteralExpression(init!)) return memberOf(callee, checker);
    return resolveName(callee.name, checker);
  }
  // `this.handle(…)` of a method attached to the class's prototype after it.
  const own = resolveName(callee.name, checker);
  const attached = own.kind === 'function' || own.kind === 'external' ? undefined : prototypeMethod(callee, checker);
  return attached ? { kind: 'function', node: attached } : own;
}

/**
 * A method of an instance: what the checker finds of it, or a method attached
 * to the class's prototype, or the one implementation of an interface method, or nothing to follow (a field typed `any` is not
 * a helper the analysis missed).
 */
function memberOf(callee: ts.PropertyAccessExpression, checker: ts.TypeChecker): Resolved {
  const resolved = resolveName(callee.name, checker);
  if (resolved.kind === 'function' || resolved.kind === 'external') return resolved;
  const attached = prototypeMethod(callee, checker) ?? soleImplementation(callee, checker);
  if (attached) return { kind: 'function', node: attached };
  return resolved.kind === 'unresolved' ? { kind: 'other' } : resolved;
}

/** `new Router()`, or a builder chain on one (`new Router().on('a', f).on('b', g)`): an instance the program makes. */
function madeWithNew(init: ts.Expression): boolean {
  let at = init;
  for (let hops = 0; ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression) && hops < 16; hops++)
    at = unwrap(at.expression.expression);
  return ts.isNewExpression(at);
}

const isThisMember = (node: ts.Expression) =>
  ts.isPropertyAccessExpression(node) && unwrap(node.expression).kind === ts.SyntaxKind.ThisKeyword;

/** A name that stands for a class declared in the program (not a library's). */
function isProgramClass(name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const symbol = symbolOf(name, checker);
  const declaration = symbol?.valueDeclaration;
  return (
    symbol !== undefined &&
    (symbol.flags & ts.SymbolFlags.Class) !== 0 &&
    declaration !== undefined &&
    !isLibraryFile(declaration.getSourceFile())
  );
}

/** `(v) => …` passed as an argument: a parameter whose type the checker infers from the call. */
function isInferredCallbackParameter(node: ts.ParameterDeclaration | ts.BindingElement): boolean {
  return (
    ts.isParameter(node) &&
    node.type === undefined &&
    ts.isArrowFunction(node.parent) &&
    ts.isCallExpression(node.parent.parent) &&
    node.parent.parent.arguments.includes(node.parent)
  );
}

/** The checker types the value with a class declared in the program. */
function isProgramClassType(value: ts.Expression, checker: ts.TypeChecker): boolean {
  const declaration = checker.getTypeAtLocation(value).getSymbol()?.declarations?.find(ts.isClassDeclaration);
  return declaration !== undefined && !isLibraryFile(declaration.getSourceFile());
}
