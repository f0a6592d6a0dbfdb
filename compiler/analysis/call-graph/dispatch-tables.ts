import ts from 'typescript';
import { isLibraryFile } from './package-exports.ts';
import { isFunctionNode, resolveCallee, resolveName, symbolOf, unwrap, type FunctionNode } from './resolve.ts';
import { returnedFunction } from './returned-function.ts';
import type { ParameterArguments } from './call-sites.ts';
import { storedValues } from './stored-values.ts';

/** How many names and lookups one callee is followed through (a table of tables is rare; a cycle must end). */
const maxHops = 5;

/**
 * The functions a callee may stand for when it is picked from a table of the
 * program at run time: `handlers[kind](…)`, `const handle = handlers[kind];
 * handle(…)`, `handlers.purchase(…)` of an object typed `Record<string, Handler>`
 * (the checker then knows only the Record's signature), `byKind.get(kind)?.(…)`
 * of a `new Map([[kind, fn], …])`, and `routes.find(…)?.handle(…)` of a const
 * array of `{ topic, handle }`. Which entry runs depends on the input, so each
 * may: the call graph follows them all. Only tables written in the program as
 * consts are read; anything else gives nothing. A function a factory of the
 * program made (`const bump = makeCounter(…)`), held by a const, an entry of
 * such a table or a field of an instance (`this.bump`), is the one the
 * factory returns.
 */
export function dispatchedFunctions(
  callee: ts.Expression,
  checker: ts.TypeChecker,
  passed?: ParameterArguments,
): FunctionNode[] {
  return functionsOf(callee, { checker, passed }, 0);
}

/** The checker, and what the program passes for a parameter (a table handed to a function: `compose([a, b])`). */
interface Lookup {
  readonly checker: ts.TypeChecker;
  readonly passed: ParameterArguments | undefined;
}

function functionsOf(value: ts.Node, look: Lookup, hops: number): FunctionNode[] {
  if (isFunctionNode(value)) return [value];
  if (hops > maxHops || !ts.isExpression(value)) return [];
  const node = unwrap(value);
  if (isFunctionNode(node)) return [node];
  const next = (values: readonly ts.Node[]) => values.flatMap((v) => functionsOf(v, look, hops + 1));
  if (ts.isIdentifier(node)) {
    const resolved = resolveName(node, look.checker);
    if (resolved.kind === 'function') return [resolved.node];
    const init = resolved.kind === 'variable' && isConst(resolved.node) ? resolved.node.initializer : undefined;
    // `for (const handle of handlers) await handle(…)`: each element of the table in turn.
    const loop = resolved.kind === 'variable' ? resolved.node.parent.parent : undefined;
    if (!init && loop && ts.isForOfStatement(loop)) return next(entriesOf(loop.expression, look, hops + 1));
    return init ? next([init]) : [];
  }
  if (ts.isElementAccessExpression(node))
    return next(entriesOf(node.expression, look, hops + 1, constantKey(node.argumentExpression, look.checker)));
  if (ts.isCallExpression(node) && methodName(node) === 'get') return next(mapGetValues(node, look, hops + 1));
  // `const bump = makeCounter(client, 'carts', 'n')`, also as a table's entry: the function the factory hands back.
  if (ts.isCallExpression(node)) return madeFunction(node, look.checker);
  if (ts.isPropertyAccessExpression(node) && isInstance(node.expression, look.checker))
    return next(fieldValues(node, look.checker));
  if (ts.isPropertyAccessExpression(node))
    return next(recordsOf(node.expression, look, hops + 1).flatMap((r) => propertyValues(r, node.name.text)));
  return [];
}

/** The function a factory of the program returns (`makeCounter(…)`, an arrow called in place), or none. */
function madeFunction(call: ts.CallExpression, checker: ts.TypeChecker): FunctionNode[] {
  const factory = resolveCallee(call, checker);
  const fn = factory.kind === 'function' ? returnedFunction(factory.node, checker) : undefined;
  return fn ? [fn] : [];
}

/**
 * `this`, or a const holding `new C(…)`: a receiver whose fields are a class's,
 * known without typing it (typing any receiver is the costly part).
 */
function isInstance(receiver: ts.Expression, checker: ts.TypeChecker): boolean {
  const node = unwrap(receiver);
  if (node.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(node)) return false;
  const resolved = resolveName(node, checker);
  const init = resolved.kind === 'variable' && isConst(resolved.node) ? resolved.node.initializer : undefined;
  return init !== undefined && ts.isNewExpression(unwrap(init));
}

/**
 * What a field of an instance is given: its initializer (`private readonly bump =
 * makeCounter(…)`) and every `this.bump = …` in its class (the constructor's).
 */
function fieldValues(access: ts.PropertyAccessExpression, checker: ts.TypeChecker): ts.Expression[] {
  const declaration = checker.getSymbolAtLocation(access.name)?.valueDeclaration;
  if (!declaration || !ts.isPropertyDeclaration(declaration) || !ts.isClassLike(declaration.parent)) return [];
  const values = declaration.initializer ? [declaration.initializer] : [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      unwrap(node.left.expression).kind === ts.SyntaxKind.ThisKeyword &&
      checker.getSymbolAtLocation(node.left.name)?.valueDeclaration === declaration
    )
      values.push(node.right);
    ts.forEachChild(node, visit);
  };
  for (const member of declaration.parent.members) if (!ts.isPropertyDeclaration(member)) visit(member);
  return values;
}

/**
 * The key a lookup is made with, when the program fixes it: `'odometer'`,
 * `0`, or a const (an enum member, a parameter) whose type is one literal.
 * A key typed `string` or a union of literals may be any of them.
 */
function constantKey(key: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const node = unwrap(key);
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) return node.text;
  if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node)) return undefined;
  const type = checker.getTypeAtLocation(node);
  return type.isStringLiteral() || type.isNumberLiteral() ? String(type.value) : undefined;
}

/**
 * The values a const table holds: an array's elements, an object's property
 * values, a Map's entry values. Looked up by a constant key, only the entry
 * it names (`HANDLERS[ODOMETER]` runs that handler, not its neighbours) —
 * all of them when no entry is found by its name (a spread, a computed name).
 */
function entriesOf(table: ts.Expression, look: Lookup, hops: number, key?: string): ts.Node[] {
  // A table filled at run time (`this.routes.set(topic, fn)`, `handlers.push(fn)`): also what is stored into it.
  const stored = storedValues(table, look.checker, look.passed);
  const node = constValue(table, look, hops) ?? declaredTable(table, look, hops);
  if (!node) return [...stored, ...passedTables(table, look, hops).flatMap((t) => entriesOf(t, look, hops + 1, key))];
  if (ts.isClassLike(node)) return staticMembers(node, key);
  if (ts.isArrayLiteralExpression(node)) {
    const elements = node.elements.filter((e) => !ts.isSpreadElement(e));
    const named = key === undefined || elements.length !== node.elements.length ? undefined : elements[Number(key)];
    return named ? [named] : [...elements, ...stored];
  }
  if (ts.isObjectLiteralExpression(node)) {
    const named = key === undefined ? [] : propertyValues(node, key);
    return named.length > 0 ? named : [...node.properties.flatMap(valueOfMember), ...stored];
  }
  return [...mapEntries(node).map(([, value]) => value), ...stored];
}

/**
 * `stack[i](…)` in `function compose(stack) { … }`: a table that is a
 * parameter is what the program passes for it (`compose([decode, addRevenue])`).
 */
function passedTables(table: ts.Expression, look: Lookup, hops: number): ts.Expression[] {
  const node = unwrap(table);
  if (!look.passed || hops > maxHops || !ts.isIdentifier(node)) return [];
  const resolved = resolveName(node, look.checker);
  if (resolved.kind !== 'parameter' || !ts.isParameter(resolved.node)) return [];
  return [...look.passed.of(resolved.node)];
}

/** The objects an expression may be: a literal, a const naming one, an element or `find(…)` of a const table. */
function recordsOf(value: ts.Node, look: Lookup, hops: number): ts.ObjectLiteralExpression[] {
  if (hops > maxHops || !ts.isExpression(value)) return [];
  const node = unwrap(value);
  if (ts.isObjectLiteralExpression(node)) return [node];
  const records = (values: readonly ts.Node[]) => values.flatMap((v) => recordsOf(v, look, hops + 1));
  if (ts.isIdentifier(node)) {
    const resolved = resolveName(node, look.checker);
    if (resolved.kind !== 'variable') return [];
    if (isConst(resolved.node) && resolved.node.initializer) return records([resolved.node.initializer]);
    // `for (const route of routes) route.handle(…)`: each element of the table in turn.
    const loop = resolved.node.parent.parent;
    return ts.isForOfStatement(loop) ? records(entriesOf(loop.expression, look, hops + 1)) : [];
  }
  if (ts.isElementAccessExpression(node))
    return records(entriesOf(node.expression, look, hops + 1, constantKey(node.argumentExpression, look.checker)));
  const frozen = frozenTable(node);
  if (frozen) return records([frozen]);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = methodName(node);
    // `routes.find((r) => r.topic === topic)`, `routes.filter(…)[0]`: one of the table's elements.
    if (method === 'find' || method === 'findLast')
      return records(entriesOf(node.expression.expression, look, hops + 1));
    if (method === 'get') return records(mapGetValues(node, look, hops + 1));
  }
  return [];
}

/** The initializer of the const a name stands for (through imports), or the expression itself when written out. */
function constValue(expression: ts.Expression, look: Lookup, hops: number): ts.Expression | undefined {
  const node = unwrap(expression);
  const frozen = frozenTable(node);
  if (frozen) return constValue(frozen, look, hops + 1);
  if (!ts.isIdentifier(node)) return node;
  if (hops > maxHops) return undefined;
  const resolved = resolveName(node, look.checker);
  if (resolved.kind !== 'variable' || !isConst(resolved.node) || !resolved.node.initializer) return undefined;
  return constValue(resolved.node.initializer, look, hops + 1);
}

/**
 * A table the program declares instead of holding it in a const: a class,
 * whose static methods `Subscriber[kind](…)` picks from, or the object a
 * module exports (`module.exports = { … }`, `export default { … }`),
 * required or imported under a name (`const handlers = require('./handlers')`).
 * A library's declarations are not read.
 */
function declaredTable(
  table: ts.Expression,
  look: Lookup,
  hops: number,
): ts.ClassLikeDeclaration | ts.Expression | undefined {
  const node = unwrap(table);
  if (ts.isClassExpression(node)) return node;
  if (!ts.isIdentifier(node) || hops > maxHops) return undefined;
  const symbol = symbolOf(node, look.checker);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!declaration || isLibraryFile(declaration.getSourceFile())) return undefined;
  if (ts.isClassLike(declaration)) return declaration;
  const exported = ts.isExportAssignment(declaration) ? declaration.expression : moduleExportsValue(declaration);
  return exported && (constValue(exported, look, hops + 1) ?? declaredTable(exported, look, hops + 1));
}

/** The value of CommonJS `module.exports = value`, as the checker declares a required module's export. */
function moduleExportsValue(declaration: ts.Node): ts.Expression | undefined {
  return ts.isBinaryExpression(declaration) &&
    declaration.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    declaration.left.getText() === 'module.exports'
    ? declaration.right
    : undefined;
}

/** A class's static methods and static fields, as entries of a table; by a constant key, only the member it names. */
function staticMembers(cls: ts.ClassLikeDeclaration, key: string | undefined): ts.Node[] {
  const statics = cls.members.filter(
    (m) => ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((k) => k.kind === ts.SyntaxKind.StaticKeyword),
  );
  const values = (m: ts.ClassElement): ts.Node[] =>
    ts.isMethodDeclaration(m) ? [m] : ts.isPropertyDeclaration(m) && m.initializer ? [m.initializer] : [];
  const named = key === undefined ? [] : statics.filter((m) => m.name?.getText() === key);
  return (named.length > 0 ? named : statics).flatMap(values);
}

/** `table.get(key)` of a const `new Map([[key, value], …])`: every value, or the one a constant key names. */
function mapGetValues(call: ts.CallExpression, look: Lookup, hops: number): ts.Expression[] {
  if (!ts.isPropertyAccessExpression(call.expression)) return [];
  const map = constValue(call.expression.expression, look, hops);
  const entries = map ? mapEntries(map) : [];
  const key = call.arguments[0] && constantKey(call.arguments[0], look.checker);
  const named = key === undefined ? [] : entries.filter(([k]) => constantKey(k, look.checker) === key);
  if (named.length > 0) return named.map(([, value]) => value);
  // A registry filled at run time (`this.routes.set(topic, handler)`): any value stored may be the one got.
  return [...entries.map(([, value]) => value), ...storedValues(call.expression.expression, look.checker, look.passed)];
}

/** The `[key, value]` pairs of `new Map([[key, value], …])` written out. */
function mapEntries(node: ts.Expression): [ts.Expression, ts.Expression][] {
  if (!ts.isNewExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'Map') return [];
  const list = node.arguments?.[0] && unwrap(node.arguments[0]);
  if (!list || !ts.isArrayLiteralExpression(list)) return [];
  return list.elements.flatMap((pair) => {
    const inner = unwrap(pair);
    return ts.isArrayLiteralExpression(inner) && inner.elements.length === 2
      ? [[inner.elements[0]!, inner.elements[1]!] as [ts.Expression, ts.Expression]]
      : [];
  });
}

/** The value of a member of an object literal: `k: v`, shorthand `k`, or a method `k() {…}`. */
function valueOfMember(member: ts.ObjectLiteralElementLike): ts.Node[] {
  if (ts.isPropertyAssignment(member)) return [member.initializer];
  if (ts.isShorthandPropertyAssignment(member)) return [member.name];
  return ts.isMethodDeclaration(member) ? [member] : [];
}

/** The value of the property `name` of an object literal. */
function propertyValues(record: ts.ObjectLiteralExpression, name: string): ts.Node[] {
  return record.properties
    .filter(
      (p) =>
        p.name &&
        (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) &&
        p.name.text === name,
    )
    .flatMap(valueOfMember);
}

/** `Object.freeze({ … })` is the table it freezes. */
export function frozenTable(node: ts.Expression): ts.Expression | undefined {
  return ts.isCallExpression(node) && node.arguments[0] && node.expression.getText() === 'Object.freeze'
    ? node.arguments[0]
    : undefined;
}

function methodName(call: ts.CallExpression): string | undefined {
  return ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;
}

const isConst = (declaration: ts.VariableDeclaration) => (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
