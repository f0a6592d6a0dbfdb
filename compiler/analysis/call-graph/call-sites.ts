import ts from 'typescript';
import { symbolOf } from './resolve.ts';
import { isLibraryFile } from './package-exports.ts';

/** The name a function with this parameter is called by: a declaration's, a `const`'s, a class's (`new C(…)`). */
export function calledName(parameter: ts.ParameterDeclaration): ts.Identifier | undefined {
  const fn = parameter.parent;
  if (ts.isConstructorDeclaration(fn)) return ts.isClassDeclaration(fn.parent) ? fn.parent.name : undefined;
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent))
    return ts.isIdentifier(fn.parent.name) ? fn.parent.name : undefined;
  return undefined;
}

/** Local names a file gives `name` on import (`import { eventTimeOr as timeOr }`), and the name itself. */
function localNames(file: ts.SourceFile, name: string): Set<string> {
  const names = new Set([name]);
  for (const statement of file.statements) {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements)
      if ((element.propertyName ?? element.name).text === name) names.add(element.name.text);
  }
  return names;
}

/** `f` of `f(…)` and `new F(…)`, and for a method `on` of `router.on(…)`: the name a call is made by. */
function calledBy(node: ts.Node, method: boolean): ts.Identifier | undefined {
  if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return undefined;
  const callee = node.expression;
  if (!method) return ts.isIdentifier(callee) ? callee : undefined;
  return ts.isCallExpression(node) && ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)
    ? callee.name
    : undefined;
}

/** The same declaration: a method called on a class with a `this` type is an instantiated copy of its symbol. */
const sameSymbol = (a: ts.Symbol | undefined, b: ts.Symbol) =>
  a === b || (a !== undefined && a.valueDeclaration !== undefined && a.valueDeclaration === b.valueDeclaration);

/**
 * What the program passes for a parameter: the argument at its index in
 * every call of the function (or `new` of the class, or the method on any
 * receiver the checker types as its class) found by name, renamed
 * imports included. A call that leaves it out, or spreads its arguments,
 * gives nothing here (a default is the caller's to read).
 */
export class ParameterArguments {
  readonly #passed = new Map<ts.ParameterDeclaration, readonly ts.Expression[]>();

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  of(parameter: ts.ParameterDeclaration): readonly ts.Expression[] {
    let passed = this.#passed.get(parameter);
    if (!passed) this.#passed.set(parameter, (passed = this.#find(parameter)));
    return passed;
  }

  #find(parameter: ts.ParameterDeclaration): ts.Expression[] {
    const fn = parameter.parent;
    const method = ts.isMethodDeclaration(fn) && ts.isIdentifier(fn.name) ? fn.name : undefined;
    const name = calledName(parameter) ?? method;
    const own = name && this.checker.getSymbolAtLocation(name);
    if (!name || !own || parameter.dotDotDotToken) return [];
    const index = parameter.parent.parameters.indexOf(parameter);
    const found: ts.Expression[] = [];
    for (const file of this.program.getSourceFiles()) {
      if (isLibraryFile(file) || !file.text.includes(name.text)) continue;
      const names = localNames(file, name.text);
      const visit = (node: ts.Node): void => {
        const callee = calledBy(node, method !== undefined);
        if (callee && names.has(callee.text)) {
          const args = (node as ts.CallExpression | ts.NewExpression).arguments ?? [];
          const argument = args[index];
          if (
            argument &&
            !args.slice(0, index + 1).some(ts.isSpreadElement) &&
            sameSymbol(symbolOf(callee, this.checker), own)
          )
            found.push(argument);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    return found;
  }
}
