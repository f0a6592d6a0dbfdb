import ts from 'typescript';
import { unwrap, type FunctionNode } from './resolve.ts';

/** Calls that fill the array they are given with random bytes. */
const fillsWithRandom = /(^|\.)(getRandomValues|randomFillSync|randomFill)$/;

/** `buf` of `crypto.getRandomValues(buf)`: the call writes random bytes into it, as an assignment would. */
export function filledBuffer(node: ts.Node): ts.Identifier | undefined {
  if (!ts.isCallExpression(node) || !fillsWithRandom.test(unwrap(node.expression).getText().replace(/\s+/g, '')))
    return undefined;
  const target = node.arguments[0] && unwrap(node.arguments[0]);
  return target && ts.isIdentifier(target) ? target : undefined;
}

/** `for (const addrs of Object.values(networkInterfaces()))`: the loop variable holds items of what it iterates. */
export function loopSource(declaration: ts.VariableDeclaration): ts.Expression[] {
  const statement = declaration.parent.parent;
  return ts.isForOfStatement(statement) && statement.initializer === declaration.parent ? [statement.expression] : [];
}

/**
 * The names of the `get` accessors with a body in the program's files: a property read by another name
 * runs none, and asking the checker for its symbol would type the receiver — once every property read
 * asked, that doubled the lint's time (bench lint: 7.7 → 16.6 ms a file). Undefined (ask for every read)
 * when a getter's name is computed from something other than a literal.
 */
export function programGetterNames(program: ts.Program): ReadonlySet<string> | undefined {
  if (getterNamesOf.has(program)) return getterNamesOf.get(program);
  let names: Set<string> | undefined = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (!names) return;
    if (ts.isGetAccessorDeclaration(node) && node.body) {
      const name = ts.isComputedPropertyName(node.name) ? unwrap(node.name.expression) : node.name;
      if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name)) names.add(name.text);
      else if (ts.isNumericLiteral(name)) names.add(name.text);
      else names = undefined;
    }
    ts.forEachChild(node, visit);
  };
  for (const file of program.getSourceFiles()) if (!file.isDeclarationFile) visit(file);
  getterNamesOf.set(program, names);
  return names;
}
const getterNamesOf = new WeakMap<ts.Program, ReadonlySet<string> | undefined>();

/**
 * The `get` accessor a property read runs (`partitioning.todayPartition`),
 * read like a method with no arguments. Not a write to it (a setter's business).
 */
export function getterOf(node: ts.PropertyAccessExpression, checker: ts.TypeChecker): FunctionNode | undefined {
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.left === node) return undefined;
  const symbol = checker.getSymbolAtLocation(node.name);
  if (!symbol || !(symbol.flags & ts.SymbolFlags.GetAccessor)) return undefined;
  const getter = symbol.declarations?.find(ts.isGetAccessorDeclaration);
  // Read by the call graph like a method: only its body and its returns are used.
  return getter?.body ? (getter as unknown as FunctionNode) : undefined;
}

const isSymbolIterator = (name: ts.PropertyName) =>
  ts.isComputedPropertyName(name) && name.expression.getText().replace(/\s+/g, '') === 'Symbol.iterator';

/** The `*[Symbol.iterator]()` generator of the program class a value is an instance of (the checker types it). */
export function iteratorGenerator(value: ts.Expression, checker: ts.TypeChecker): FunctionNode | undefined {
  const declaration = checker.getTypeAtLocation(value).getSymbol()?.declarations?.find(ts.isClassDeclaration);
  if (!declaration || declaration.getSourceFile().isDeclarationFile) return undefined;
  return declaration.members.find(
    (m): m is ts.MethodDeclaration =>
      ts.isMethodDeclaration(m) && m.asteriskToken !== undefined && m.body !== undefined && isSymbolIterator(m.name),
  );
}

/** What a generator yields (`yield x`; `yield* xs` hands on xs), outside the functions it declares. */
export function yieldedExpressions(generator: FunctionNode): ts.Expression[] {
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== generator && ts.isFunctionLike(node)) return;
    if (ts.isYieldExpression(node) && node.expression) found.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(generator);
  return found;
}
