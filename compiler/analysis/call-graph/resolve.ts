import ts from 'typescript';

export type FunctionNode = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** What a name or a callee stands for, as far as the call graph can see. */
export type Resolved =
  | { readonly kind: 'function'; readonly node: FunctionNode }
  | { readonly kind: 'variable'; readonly node: ts.VariableDeclaration }
  | { readonly kind: 'parameter'; readonly node: ts.ParameterDeclaration | ts.BindingElement }
  /** Declared by a library (a `.d.ts` or a file in node_modules): judged by its name only. */
  | { readonly kind: 'external' }
  | { readonly kind: 'unresolved'; readonly why: string }
  /** Something else (a class, an enum, a property of data): nothing to follow. */
  | { readonly kind: 'other' };

export const isFunctionNode = (node: ts.Node): node is FunctionNode =>
  ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node);

function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) node = node.expression;
  return node;
}

const isLibrary = (file: ts.SourceFile) => file.isDeclarationFile || /[\\/]node_modules[\\/]/.test(file.fileName);

/** The symbol a name refers to, through imports, renames and re-exports (`export { x as y } from './z'`). */
export function symbolOf(name: ts.Node, checker: ts.TypeChecker): ts.Symbol | undefined {
  let symbol = checker.getSymbolAtLocation(name);
  if (!symbol && ts.isShorthandPropertyAssignment(name.parent) && name.parent.name === name) symbol = checker.getShorthandAssignmentValueSymbol(name.parent);
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
  if (importedFromPackage(name, checker)) return { kind: 'external' };
  const symbol = symbolOf(name, checker);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!symbol || !declaration) return { kind: 'unresolved', why: 'its declaration was not found (an unresolved import or an undeclared name)' };
  if (isLibrary(declaration.getSourceFile())) return { kind: 'external' };
  return classify(declaration);
}

/** A name imported from a package (`'node:crypto'`, `'uuid'`): a library's, whether or not its types are installed. */
function importedFromPackage(name: ts.Node, checker: ts.TypeChecker): boolean {
  const target = ts.isPropertyAccessExpression(name.parent) && name.parent.name === name ? name.parent.expression : name;
  const local = checker.getSymbolAtLocation(target);
  const declaration = local && local.flags & ts.SymbolFlags.Alias ? local.declarations?.[0] : undefined;
  const from = declaration && ts.findAncestor(declaration, ts.isImportDeclaration);
  return from !== undefined && ts.isStringLiteral(from.moduleSpecifier) && !/^\.{0,2}\//.test(from.moduleSpecifier.text);
}

function classify(declaration: ts.Node): Resolved {
  if (isFunctionNode(declaration)) return declaration.body ? { kind: 'function', node: declaration } : { kind: 'unresolved', why: 'it is declared without a body' };
  if (ts.isParameter(declaration) || ts.isBindingElement(declaration)) return { kind: 'parameter', node: declaration };
  if (ts.isVariableDeclaration(declaration)) {
    const init = declaration.initializer && unwrap(declaration.initializer);
    if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return { kind: 'function', node: init };
    return { kind: 'variable', node: declaration };
  }
  if ((ts.isPropertyAssignment(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.initializer) {
    const init = unwrap(declaration.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return { kind: 'function', node: init };
  }
  return { kind: 'other' };
}

/** What a call calls. A method of a value whose type is not known (`e.key.trim()`) is data, not a helper: 'other'. */
export function resolveCallee(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): Resolved {
  const callee = unwrap(call.expression);
  if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return { kind: 'function', node: callee };
  const name = calleeName(callee);
  if (!name) return { kind: 'other' };
  const resolved = resolveName(name, checker);
  if (resolved.kind === 'unresolved' && ts.isPropertyAccessExpression(callee) && !isModuleOrThis(callee.expression, checker)) return { kind: 'other' };
  return resolved;
}

/** `this.x()` and `ns.x()` (a namespace import) are calls of the program's own code; `value.x()` may be a method of data. */
function isModuleOrThis(receiver: ts.Expression, checker: ts.TypeChecker): boolean {
  if (receiver.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(receiver)) return false;
  const symbol = checker.getSymbolAtLocation(receiver);
  return symbol !== undefined && (symbol.declarations ?? []).some((d) => ts.isNamespaceImport(d));
}
