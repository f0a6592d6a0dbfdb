import ts from 'typescript';
import { storesFunctionOfKey } from './memo-key.ts';
import { isFunctionNode, isModuleLevel, unwrap, type FunctionNode } from './resolve.ts';

/**
 * A function called where it is written, at the top of its module:
 * `const nextSeq = (() => { let n = 0; return () => ++n; })();`. Its locals
 * live as long as the process, like module variables.
 */
function isModuleIife(fn: ts.Node): boolean {
  let call: ts.Node = fn.parent;
  while (ts.isParenthesizedExpression(call)) call = call.parent;
  return (
    ts.isCallExpression(call) &&
    unwrap(call.expression) === fn &&
    ts.findAncestor(call.parent, isFunctionNode) === undefined
  );
}

/** A variable that outlives the calls reading it: declared at module level, or in a module-level IIFE's closure. */
export function outlivesCalls(declaration: ts.VariableDeclaration): boolean {
  if (isModuleLevel(declaration)) return true;
  const fn = ts.findAncestor(declaration, isFunctionNode);
  return fn !== undefined && isModuleIife(fn);
}

const setWrites = new Set(['add', 'delete', 'clear']);
const writesByFile = new WeakMap<ts.SourceFile, Map<ts.Symbol, ts.Node>>();

/** `seen.add(…)`, `seen.delete(…)`, `seen.clear()` inside functions of a file, by the variable's symbol (the first of each). */
function setWritesIn(file: ts.SourceFile, checker: ts.TypeChecker): Map<ts.Symbol, ts.Node> {
  let writes = writesByFile.get(file);
  if (writes) return writes;
  const found = new Map<ts.Symbol, ts.Node>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      setWrites.has(node.expression.name.text) &&
      ts.isIdentifier(node.expression.expression) &&
      ts.findAncestor(node, isFunctionNode) !== undefined
    ) {
      const symbol = checker.getSymbolAtLocation(node.expression.expression);
      if (symbol && !found.has(symbol)) found.set(symbol, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  writesByFile.set(file, (writes = found));
  return writes;
}

/**
 * `seen.has(e.eventId)` on a `new Set()` that outlives the call and that the
 * program adds to inside a function: the answer depends on which records
 * came before, so a retried or replayed record finds itself already there.
 * (Only sets: a `Map` read with `get` is most often a cache of a
 * deterministic function, whose answer does not depend on the order.)
 */
export function changingSetMembership(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
): { readonly name: string; readonly write: ts.Node } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'has') return undefined;
  const receiver = unwrap(callee.expression);
  if (!ts.isIdentifier(receiver)) return undefined;
  const symbol = checker.getSymbolAtLocation(receiver);
  const declaration = symbol?.valueDeclaration;
  if (!symbol || !declaration || !ts.isVariableDeclaration(declaration) || !outlivesCalls(declaration))
    return undefined;
  const init = declaration.initializer && unwrap(declaration.initializer);
  if (!init || !ts.isNewExpression(init)) return undefined;
  if (unwrap(init.expression).getText() !== 'Set') {
    // A map or a package's cache (`new LRU({ max })`, unseen round 10, b15) filled with `set` as records come, not
    // only where a look-up found nothing (a memo answers the same every time): the same history as a set's.
    if (!isKeyedCache(init, checker)) return undefined;
    const history = collectionWritesIn(declaration.getSourceFile(), checker)
      .get(symbol)
      ?.find((w) => !w.memo || storesMarker(w.node));
    return history && { name: receiver.text, write: history.node };
  }
  const write = setWritesIn(declaration.getSourceFile(), checker).get(symbol);
  return write && { name: receiver.text, write };
}

/** `recent.set(id, true)`: a constant stored under the key marks it seen; no memo keeps a constant. */
function storesMarker(write: ts.Node): boolean {
  if (!ts.isCallExpression(write) || write.arguments.length !== 2) return false;
  const value = unwrap(write.arguments[1]!);
  return (
    value.kind === ts.SyntaxKind.TrueKeyword ||
    value.kind === ts.SyntaxKind.NullKeyword ||
    ts.isNumericLiteral(value) ||
    ts.isStringLiteral(value)
  );
}

/** Packages whose classes keep entries by key for the process: `lru-cache`, `quick-lru`, `node-cache`, `mnemonist/lru-cache`. */
const cachePackage = /lru|cache/i;

/** `new Map()`, or `new LRU({ max })` of a class imported from a cache package: a collection kept by key. */
function isKeyedCache(init: ts.NewExpression, checker: ts.TypeChecker): boolean {
  const made = unwrap(init.expression);
  if (made.getText() === 'Map') return true;
  const name = ts.isPropertyAccessExpression(made) ? made.expression : made;
  if (!ts.isIdentifier(name)) return false;
  const own = checker.getSymbolAtLocation(name)?.declarations?.[0];
  const from = own && ts.findAncestor(own, ts.isImportDeclaration);
  return from !== undefined && ts.isStringLiteral(from.moduleSpecifier) && cachePackage.test(from.moduleSpecifier.text);
}

/** Calls that change what a collection holds. */
const collectionWrites = new Set([
  'set',
  'add',
  'delete',
  'clear',
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
]);
/** Reads that only look one key up: a memo (`if (v === undefined) cache.set(k, f(k))`) answers them the same every time. */
const lookups = new Set(['get', 'has', 'includes']);
/** `Atomics.add(cell, 0, 1)`: what changes the typed array given first (a counter shared with worker threads). */
const atomicWrites = /^(add|sub|and|or|xor|exchange|compareExchange|store)$/;

/** The collection a call or an assignment changes: `seen.add(…)`, `slots[k] = …`, `Atomics.add(cell, …)`. */
function changedCollection(node: ts.Node): ts.Expression | undefined {
  if (ts.isBinaryExpression(node) && ts.isElementAccessExpression(node.left))
    return node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      ? node.left.expression
      : undefined;
  if ((ts.isDeleteExpression(node) || isIncrement(node)) && ts.isElementAccessExpression(operandOf(node)))
    return (operandOf(node) as ts.ElementAccessExpression).expression;
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  const { expression: receiver, name } = node.expression;
  if (ts.isIdentifier(receiver) && receiver.text === 'Atomics')
    return atomicWrites.test(name.text) ? node.arguments[0] : undefined;
  return collectionWrites.has(name.text) ? receiver : undefined;
}

const operandOf = (node: ts.DeleteExpression | ts.PrefixUnaryExpression | ts.PostfixUnaryExpression) =>
  ts.isDeleteExpression(node) ? node.expression : node.operand;
/** `x++`, `--x`: a write of the operand. */
export const isIncrement = (node: ts.Node): node is ts.PrefixUnaryExpression | ts.PostfixUnaryExpression =>
  (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
  (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken);

interface CollectionWrite {
  readonly node: ts.Node;
  /** Set only when a look-up found nothing: a memo of the key, not a history of the records. */
  readonly memo: boolean;
}

const collectionWritesByFile = new WeakMap<ts.SourceFile, Map<ts.Symbol, CollectionWrite[]>>();

/**
 * `if (v === undefined)`, `if (!v)`, `if (!seen.has(k))`, `v == null`: the branch runs when a look-up found
 * nothing; or, earlier in the same block, `if (v !== undefined) return v;` returned what the look-up found.
 */
function underAbsenceTest(write: ts.Node): boolean {
  const guard = ts.findAncestor(write.parent, (n) => isFunctionNode(n) || ts.isIfStatement(n));
  if (guard && ts.isIfStatement(guard) && ts.findAncestor(write, (n) => n === guard.thenStatement) !== undefined) {
    const condition = guard.expression.getText().replace(/\s+/g, '');
    return /^!|===?undefined|===?null|==null|!\w+(\.\w+)*\.has\(/.test(condition);
  }
  const statement = ts.findAncestor(write, (n) => ts.isStatement(n) && ts.isBlock(n.parent));
  if (!statement || !ts.isBlock(statement.parent)) return false;
  const before = statement.parent.statements.slice(0, statement.parent.statements.indexOf(statement as ts.Statement));
  return before.some(
    (s) =>
      ts.isIfStatement(s) &&
      /^\{?return\b/.test(s.thenStatement.getText()) &&
      /!==?undefined|!==?null|!=null|\.has\(|^\w+$/.test(s.expression.getText().replace(/\s+/g, '')),
  );
}

/** `seen.set(…)`, `log.push(…)`, `slots[k] = …` inside functions of a file, by the collection's symbol. */
function collectionWritesIn(file: ts.SourceFile, checker: ts.TypeChecker): Map<ts.Symbol, CollectionWrite[]> {
  let writes = collectionWritesByFile.get(file);
  if (writes) return writes;
  const found = new Map<ts.Symbol, CollectionWrite[]>();
  const visit = (node: ts.Node): void => {
    const receiver = changedCollection(node);
    const symbol = receiver && ts.isIdentifier(receiver) ? checker.getSymbolAtLocation(receiver) : undefined;
    if (symbol && ts.findAncestor(node, isFunctionNode) !== undefined)
      found.set(symbol, [
        ...(found.get(symbol) ?? []),
        { node, memo: (isLazyWrite(node) || underAbsenceTest(node)) && storesFunctionOfKey(node) },
      ]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  collectionWritesByFile.set(file, (writes = found));
  return writes;
}

/**
 * `new Map()`, `new Set()`, `new Array()`, `[]`, an object literal used as a dictionary (`const kinds:
 * Record<string, true> = {}`), a typed array (`new Int32Array(new SharedArrayBuffer(4))`): a collection
 * (weak ones are keyed by objects a record makes anew).
 */
function isCollection(init: ts.Expression | undefined, checker: ts.TypeChecker): boolean {
  const value = init && unwrap(init);
  if (!value) return false;
  if (ts.isArrayLiteralExpression(value) || ts.isObjectLiteralExpression(value)) return true;
  return (
    ts.isNewExpression(value) &&
    (/^(Map|Set|Array|(Big)?(Int|Uint|Float)(8|16|32|64)(Clamped)?Array)$/.test(unwrap(value.expression).getText()) ||
      isKeyedCache(value, checker))
  );
}

/** `cache[k] ??= f(k)`: set only where the look-up found nothing, as a memo is. */
const isLazyWrite = (node: ts.Node): boolean =>
  ts.isBinaryExpression(node) &&
  (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken ||
    node.operatorToken.kind === ts.SyntaxKind.BarBarEqualsToken);

/** `cache[k]`, `k in cache`: a look-up of one key of a dictionary, which a memo answers the same every time. */
function isKeyLookup(read: ts.Identifier): boolean {
  const parent = read.parent;
  if (ts.isElementAccessExpression(parent) && parent.expression === read) return true;
  return (
    ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.InKeyword && parent.right === read
  );
}

/**
 * A read of a collection that outlives the calls and that functions of the
 * program fill as records come (`index.size`, `[...seen]`, `journal.length`,
 * `lastSeen.get(id)`): its answer depends on which records came before, so a
 * replay, or a restart that empties it, answers otherwise. A look-up in a
 * memo (`cache.get(k)` with `cache.set(k, …)` only where the look-up found
 * nothing) stays clean: it answers the same for the same key.
 */
export function collectionHistory(
  read: ts.Identifier,
  declaration: ts.VariableDeclaration,
  checker: ts.TypeChecker,
): ts.Node | undefined {
  if (!isCollection(declaration.initializer, checker) || !outlivesCalls(declaration)) return undefined;
  const symbol = ts.isIdentifier(declaration.name) ? checker.getSymbolAtLocation(declaration.name) : undefined;
  const writes = symbol && collectionWritesIn(declaration.getSourceFile(), checker).get(symbol);
  if (!writes || writes.length === 0) return undefined;
  const member = read.parent;
  const lookup =
    ts.isPropertyAccessExpression(member) &&
    member.expression === read &&
    lookups.has(member.name.text) &&
    ts.isCallExpression(member.parent) &&
    member.parent.expression === member;
  if ((lookup || isKeyLookup(read)) && writes.every((w) => w.memo)) return undefined;
  // A write is not a read: `seen.add(id)` alone says nothing about the value it is part of.
  if (ts.isPropertyAccessExpression(member) && collectionWrites.has(member.name.text)) return undefined;
  return writes[0]!.node;
}

/**
 * The values stored into a collection that outlives the calls, for a look-up
 * of it (`firstSeen.get(id)` with `firstSeen.set(id, Date.now())`): a memo
 * gives what it stored, so a memo of the clock holds the clock. The value of
 * each `set(k, v)` and `[k] = v` in the collection's module.
 */
export function lookedUpValues(
  read: ts.Identifier,
  declaration: ts.VariableDeclaration,
  checker: ts.TypeChecker,
): ts.Expression[] {
  const member = read.parent;
  const lookup = ts.isPropertyAccessExpression(member) && member.expression === read && member.name.text === 'get';
  if (!lookup || !isCollection(declaration.initializer, checker) || !outlivesCalls(declaration)) return [];
  const symbol = ts.isIdentifier(declaration.name) ? checker.getSymbolAtLocation(declaration.name) : undefined;
  const writes = (symbol && collectionWritesIn(declaration.getSourceFile(), checker).get(symbol)) ?? [];
  return writes.flatMap(({ node }) => {
    if (ts.isBinaryExpression(node)) return [node.right];
    const call = node as ts.CallExpression;
    const method = (call.expression as ts.PropertyAccessExpression).name.text;
    return method === 'set' && call.arguments.length === 2 ? [call.arguments[1]!] : [];
  });
}

/**
 * `const next = sequence('evt')` at module level, with `sequence` returning
 * `() => ++n` over its own `let n`: the closure's variable lives as long as
 * the process, like a module variable. The first write of such a captured
 * variable in the made function, if any.
 */
export function capturedStateWrite(made: FunctionNode, checker: ts.TypeChecker): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const target =
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
        ? node.operand
        : ts.isBinaryExpression(node) &&
            node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
            node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
          ? node.left
          : undefined;
    const declaration =
      target && ts.isIdentifier(target) ? checker.getSymbolAtLocation(target)?.valueDeclaration : undefined;
    if (declaration && ts.isVariableDeclaration(declaration)) {
      const owner = ts.findAncestor(declaration, isFunctionNode);
      if (owner && owner !== made && ts.findAncestor(made, (n) => n === owner)) found = node;
    }
    ts.forEachChild(node, visit);
  };
  if (made.body) visit(made.body);
  return found;
}
