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

/** The function (or class, for a constructor) a parameter list belongs to, by the name its calls use. */
function calledByName(fn: ts.SignatureDeclaration): { name: ts.Identifier; method: boolean } | undefined {
  const method = ts.isMethodDeclaration(fn) && ts.isIdentifier(fn.name) ? fn.name : undefined;
  const first = fn.parameters[0];
  const name = (first && calledName(first)) ?? method ?? functionName(fn);
  return name && { name, method: method !== undefined };
}

/** A parameterless function's name, as calledName reads a parameter's. */
export function functionName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent))
    return ts.isIdentifier(fn.parent.name) ? fn.parent.name : undefined;
  return undefined;
}

/**
 * Every call of a function (or `new` of the class, or the method on any receiver the checker types as its
 * class) the program makes, found by name, renamed imports included.
 */
export function callsOf(
  fn: ts.SignatureDeclaration,
  program: ts.Program,
  checker: ts.TypeChecker,
): (ts.CallExpression | ts.NewExpression)[] {
  const called = calledByName(fn);
  const own = called && checker.getSymbolAtLocation(called.name);
  if (!called || !own) return [];
  const found: (ts.CallExpression | ts.NewExpression)[] = [];
  for (const file of program.getSourceFiles()) {
    if (isLibraryFile(file) || !file.text.includes(called.name.text)) continue;
    const names = localNames(file, called.name.text);
    const visit = (node: ts.Node): void => {
      const callee = calledBy(node, called.method);
      if (callee && names.has(callee.text) && sameSymbol(symbolOf(callee, checker), own))
        found.push(node as ts.CallExpression | ts.NewExpression);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/**
 * What the program passes for a parameter: the argument at its index in
 * every call of the function (callsOf). A call that leaves it out, or
 * spreads its arguments, gives nothing here (a default is the caller's to read).
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
    if (parameter.dotDotDotToken) return [];
    const index = parameter.parent.parameters.indexOf(parameter);
    return callsOf(parameter.parent, this.program, this.checker).flatMap((call) => {
      const args = call.arguments ?? [];
      const argument = args[index];
      return argument && !args.slice(0, index + 1).some(ts.isSpreadElement) ? [argument] : [];
    });
  }
}
