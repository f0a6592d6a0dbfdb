import ts from 'typescript';
import { isFunctionNode, resolveCallee, resolveName, type FunctionNode } from './resolve.ts';

/** A message put into a buffer by a handler, written later by a timer. */
export interface BufferedWrite {
  /** `buffer.push(…)` in the handler. */
  readonly put: ts.CallExpression;
  /** `setInterval(flush, …)`: where the buffer is written out. */
  readonly timer: ts.CallExpression;
}

const bufferMethods = new Set(['push', 'unshift', 'set', 'add']);
const timerFunctions = new Set(['setInterval', 'setTimeout']);

/** The symbol of `buffer` in `buffer.push` or of `x` in `this.x.push`. */
function receiverSymbol(call: ts.CallExpression, checker: ts.TypeChecker): ts.Symbol | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !bufferMethods.has(callee.name.text)) return undefined;
  const receiver = callee.expression;
  if (ts.isIdentifier(receiver)) return checker.getSymbolAtLocation(receiver);
  if (ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword)
    return checker.getSymbolAtLocation(receiver.name);
  return undefined;
}

/** Symbols a function reads, with those of the user functions it calls (one level: `flush()` calling `writeAll()`). */
function symbolsRead(fn: FunctionNode, checker: ts.TypeChecker, depth = 0): Set<ts.Symbol> {
  const read = new Set<ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const symbol = checker.getSymbolAtLocation(node);
      if (symbol) read.add(symbol);
    }
    if (ts.isCallExpression(node) && depth < 1) {
      const callee = resolveCallee(node, checker);
      if (callee.kind === 'function' && callee.node !== fn)
        for (const s of symbolsRead(callee.node, checker, depth + 1)) read.add(s);
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return read;
}

/** `setInterval(flush, 1000)` / `setInterval(async () => …)` in a file, with the function each runs. */
function timersIn(file: ts.SourceFile, checker: ts.TypeChecker): { call: ts.CallExpression; fn: FunctionNode }[] {
  const found: { call: ts.CallExpression; fn: FunctionNode }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      timerFunctions.has(node.expression.text) &&
      node.arguments[0]
    ) {
      const callback = node.arguments[0];
      const resolved = isFunctionNode(callback)
        ? callback
        : ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback)
          ? nameToFunction(callback, checker)
          : undefined;
      if (resolved) found.push({ call: node, fn: resolved });
    }
    ts.forEachChild(node, visit);
  };
  if (/\bset(Interval|Timeout)\b/.test(file.text)) visit(file);
  return [...found, ...backgroundLoops(file, checker)];
}

/**
 * `void writerLoop()` (also `writerLoop().catch(log)`, or a bare call) as a statement of the module, where
 * `writerLoop` is a function of the program around an endless loop (`for (;;)`, `while (true)`): it writes
 * out, at its own pace, what the handler left in the buffer — a timer by another name (round 11, U11D d06).
 */
function backgroundLoops(
  file: ts.SourceFile,
  checker: ts.TypeChecker,
): { call: ts.CallExpression; fn: FunctionNode }[] {
  return file.statements.flatMap((statement) => {
    if (!ts.isExpressionStatement(statement)) return [];
    let started = statement.expression;
    if (ts.isVoidExpression(started)) started = started.expression;
    for (
      let hops = 0;
      ts.isCallExpression(started) && ts.isPropertyAccessExpression(started.expression) && hops < 4;
      hops++
    )
      started = started.expression.expression;
    if (!ts.isCallExpression(started)) return [];
    const callee = resolveCallee(started, checker);
    return callee.kind === 'function' && callee.node.body && loopsForever(callee.node.body)
      ? [{ call: started, fn: callee.node }]
      : [];
  });
}

const isTrue = (node: ts.Expression | undefined) => node === undefined || node.kind === ts.SyntaxKind.TrueKeyword;

function loopsForever(node: ts.Node): boolean {
  if (ts.isForStatement(node) && isTrue(node.condition)) return true;
  if ((ts.isWhileStatement(node) || ts.isDoStatement(node)) && isTrue(node.expression)) return true;
  return (
    ts.forEachChild(node, (child) => (ts.isFunctionLike(child) ? undefined : loopsForever(child) || undefined)) ?? false
  );
}

function nameToFunction(
  name: ts.Identifier | ts.PropertyAccessExpression,
  checker: ts.TypeChecker,
): FunctionNode | undefined {
  const resolved = resolveName(ts.isIdentifier(name) ? name : name.name, checker);
  return resolved.kind === 'function' ? resolved.node : undefined;
}

/**
 * Writes a Kafka handler only buffers: it puts the message into a
 * collection declared outside it, which a timer of the same module reads
 * (and writes out) — itself, or through a function it calls whose module
 * holds the buffer and the timer (`writer.add(row)` of a `BatchWriter` that
 * pushes to `this.pending` and flushes it from its own `setInterval`; the
 * finding is then the handler's call). The handler returns at once, kafkajs
 * commits the offset, and a crash before the next tick loses what was buffered.
 */
export function bufferedWrites(handler: FunctionNode, checker: ts.TypeChecker): BufferedWrite[] {
  const own = putsIn(handler, checker);
  if (!handler.body) return own;
  const found = [...own];
  // A handler that is one call hands over to that function, which is read as the handler itself (its puts are its own).
  const sole =
    ts.isBlock(handler.body) && handler.body.statements.length === 1 ? handler.body.statements[0] : handler.body;
  const delegated = (call: ts.Node) =>
    sole !== undefined && (sole === call || (ts.isExpressionStatement(sole) && sole.expression === call));
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && !own.some((w) => w.put === node) && !delegated(node)) {
      const callee = resolveCallee(node, checker);
      const inner = callee.kind === 'function' && callee.node !== handler ? putsIn(callee.node, checker) : [];
      if (inner[0]) found.push({ put: node, timer: inner[0].timer });
    }
    ts.forEachChild(node, visit);
  };
  visit(handler.body);
  return found;
}

const putsOf = new WeakMap<FunctionNode, BufferedWrite[]>();

/** The buffer puts of `fn` itself: into a collection declared outside it that a timer of its module reads (cached). */
function putsIn(fn: FunctionNode, checker: ts.TypeChecker): BufferedWrite[] {
  let puts = putsOf.get(fn);
  if (!puts) putsOf.set(fn, (puts = findPuts(fn, checker)));
  return puts;
}

function findPuts(fn: FunctionNode, checker: ts.TypeChecker): BufferedWrite[] {
  const timers = timersIn(fn.getSourceFile(), checker).map((t) => ({ ...t, reads: symbolsRead(t.fn, checker) }));
  if (timers.length === 0 || !fn.body) return [];
  const found: BufferedWrite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const symbol = receiverSymbol(node, checker);
      const declaredInside =
        symbol?.valueDeclaration && ts.findAncestor(symbol.valueDeclaration, (n) => n === fn) !== undefined;
      const timer =
        symbol && !declaredInside && !inPromiseExecutor(node, fn) ? timers.find((t) => t.reads.has(symbol)) : undefined;
      if (timer) found.push({ put: node, timer: timer.call });
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}

/**
 * A put inside the executor of `new Promise((resolve, reject) => queue.push({ m, done }))`: whoever awaits that
 * promise waits until the writer settles it, after the write (or fails with it) — a hand-off, not a buffer.
 */
function inPromiseExecutor(put: ts.Node, fn: FunctionNode): boolean {
  for (let at = put.parent; at && at !== fn; at = at.parent)
    if (
      isFunctionNode(at) &&
      ts.isNewExpression(at.parent) &&
      ts.isIdentifier(at.parent.expression) &&
      at.parent.expression.text === 'Promise'
    )
      return true;
  return false;
}
