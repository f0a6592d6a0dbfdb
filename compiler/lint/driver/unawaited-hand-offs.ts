import ts from 'typescript';
import type { ReplayContexts } from '../../analysis/call-graph/replay-contexts.ts';
import {
  isFunctionNode,
  resolveCallee,
  resolveName,
  unwrap,
  type FunctionNode,
} from '../../analysis/call-graph/resolve.ts';

/**
 * Writes a handler starts through something else and does not wait for: a
 * task given to a queue (`queue.add(() => client.execute(…))`, p-queue,
 * Bottleneck, p-limit) whose promise is dropped, or an EventEmitter listener
 * that writes asynchronously (`bus.emit('x', …)`: emit drops the listener's
 * promise). The handler returns first, kafkajs commits the offset, and a
 * crash before the write lands loses the message.
 */

/** Methods that run a task later and hand back its promise (p-queue, Bottleneck, task queues). */
const queueMethods = new Set(['add', 'addAll', 'schedule', 'enqueue', 'submit']);
/** A concurrency limiter called directly (`limit(() => write())` of p-limit). */
const limiterNames = /^(limit|limiter|throttle|throttled|enqueue)$/i;
/** Awaiting one of these on the same queue waits for every task added before. */
const drainMethods = new Set(['onIdle', 'drain', 'drained', 'idle']);

/** A function that sends a write: one whose body (or one function it calls, one level down) calls a write method. */
export function writesIn(
  fn: FunctionNode,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
  depth = 0,
): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && isWriteName(callee.name.text)) return true;
      if (depth < 1) {
        const resolved = resolveCallee(node, checker);
        if (
          resolved.kind === 'function' &&
          resolved.node !== fn &&
          writesIn(resolved.node, checker, isWriteName, depth + 1)
        )
          return true;
      }
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  return fn.body !== undefined && visit(fn.body);
}

/** The function an argument is: inline, or named. */
function functionArgument(argument: ts.Expression, checker: ts.TypeChecker): FunctionNode | undefined {
  const inner = unwrap(argument);
  if (isFunctionNode(inner)) return inner;
  const name = ts.isIdentifier(inner) ? inner : ts.isPropertyAccessExpression(inner) ? inner.name : undefined;
  const resolved = name ? resolveName(name, checker) : undefined;
  return resolved?.kind === 'function' ? resolved.node : undefined;
}

/** `queue.onIdle()` awaited after `call`, in the same function, on the same queue (as written). */
function drainedAfter(call: ts.CallExpression, queue: string): boolean {
  const fn = ts.findAncestor(call.parent, isFunctionNode);
  if (!fn?.body) return false;
  const visit = (node: ts.Node): boolean => {
    if (
      ts.isAwaitExpression(node) &&
      node.getStart() > call.end &&
      ts.isCallExpression(unwrap(node.expression)) &&
      ts.isPropertyAccessExpression((unwrap(node.expression) as ts.CallExpression).expression)
    ) {
      const callee = (unwrap(node.expression) as ts.CallExpression).expression as ts.PropertyAccessExpression;
      if (drainMethods.has(callee.name.text) && callee.expression.getText() === queue) return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(fn.body);
}

/** JavaScript's own collections: `add` keeps the callback, it runs nothing (a flush elsewhere is another matter). */
const collections = new Set(['Set', 'WeakSet', 'Map', 'WeakMap', 'Array', 'ReadonlyArray']);

/** Is the receiver one of JavaScript's collections, as the checker types it? Unknown (any) is not. */
export function isCollection(receiver: ts.Expression, checker: ts.TypeChecker): boolean {
  const type = checker.getTypeAtLocation(receiver);
  const name = (type.getSymbol() ?? type.aliasSymbol)?.getName();
  return name !== undefined && collections.has(name);
}

/**
 * `writes.add(() => client.execute(…))` as a statement: a queue starts the
 * task (soon, or at once) and the promise that says it landed is dropped —
 * unless the same function later awaits `writes.onIdle()` (`drained`).
 * Undefined when the call hands no write to a queue. Also a task pushed to a
 * queue made around a writing worker (async's `queue`), and a helper that
 * returns such a hand-off (`enqueue(cql, params)`).
 */
export function queuedWrite(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
  followHelpers = true,
): { readonly queue: string; readonly drained: boolean } | undefined {
  const byHelper = () => (followHelpers ? queuedByHelper(call, checker, isWriteName) : undefined);
  const callee = unwrap(call.expression);
  const queue = ts.isPropertyAccessExpression(callee)
    ? queueMethods.has(callee.name.text)
      ? callee.expression.getText()
      : undefined
    : ts.isIdentifier(callee) && limiterNames.test(callee.text)
      ? callee.text
      : undefined;
  if (queue === undefined || (ts.isPropertyAccessExpression(callee) && isCollection(callee.expression, checker)))
    return workerQueued(call, checker, isWriteName) ?? byHelper();
  const task = call.arguments.map((a) => functionArgument(a, checker)).find((fn) => fn !== undefined);
  if (!task || !writesIn(task, checker, isWriteName)) return byHelper();
  return { queue, drained: ts.isPropertyAccessExpression(callee) && drainedAfter(call, queue) };
}

/** Queues made around a worker function: async's `queue(worker, n)` (also `priorityQueue`, `cargo`), fastq's `fastq(worker, n)`. */
const workerQueueFactories = /^(async\.)?(queue|priorityQueue|cargo|cargoQueue)$|^fastq(\.promise)?$/;
/** Methods that give such a queue a task: the worker runs it later. */
const pushMethods = new Set(['push', 'unshift', 'pushAsync', 'unshiftAsync']);

/**
 * `tasks.push(order)` on `const tasks = async.queue(async (o) => { await
 * client.execute(…) }, 8)`: the queue's worker runs the write later, and the
 * handler does not wait for it — unless it awaits `tasks.drain()` after.
 */
function workerQueued(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): { readonly queue: string; readonly drained: boolean } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !pushMethods.has(callee.name.text)) return undefined;
  const receiver = unwrap(callee.expression);
  const held = ts.isIdentifier(receiver) ? resolveName(receiver, checker) : undefined;
  const made = held?.kind === 'variable' && held.node.initializer ? unwrap(held.node.initializer) : undefined;
  if (!made || !ts.isCallExpression(made) || !workerQueueFactories.test(made.expression.getText())) return undefined;
  const worker = made.arguments.map((a) => functionArgument(a, checker)).find((fn) => fn !== undefined);
  if (!worker || !writesIn(worker, checker, isWriteName)) return undefined;
  const queue = receiver.getText();
  return { queue, drained: drainedAfter(call, queue) };
}

/**
 * `enqueue(cql, params)` of the program's `const enqueue = (q, p) =>
 * writes.add(() => client.execute(q, p))`: a helper whose promise is that of
 * a write it hands to a queue. Dropping it at the call drops the write's.
 */
function queuedByHelper(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): { readonly queue: string; readonly drained: boolean } | undefined {
  const resolved = resolveCallee(call, checker);
  if (resolved.kind !== 'function' || !resolved.node.body) return undefined;
  const body = resolved.node.body;
  const returned = ts.isBlock(body)
    ? body.statements.flatMap((st) => (ts.isReturnStatement(st) && st.expression ? [unwrap(st.expression)] : []))
    : [unwrap(body)];
  for (const value of returned) {
    // One helper deep: a helper of a helper, or one that returns its own call, is not followed.
    const handed = ts.isCallExpression(value) ? queuedWrite(value, checker, isWriteName, false) : undefined;
    // Drained if the caller awaits the same queue's `onIdle()` after the call.
    if (handed && !handed.drained) return { queue: handed.queue, drained: drainedAfter(call, handed.queue) };
  }
  return undefined;
}

/** Schedulers that run a callback after the current function has returned. */
const schedulers = /^(setImmediate|setTimeout|queueMicrotask|process\.nextTick)$/;

/** Inside the executor of `new Promise(…)`: the promise is awaited, and it settles when the write does. */
export function inPromiseExecutor(node: ts.Node): boolean {
  for (let at = node.parent; at && !ts.isSourceFile(at); at = at.parent)
    if (ts.isNewExpression(at) && at.expression.getText() === 'Promise') return true;
  return false;
}

/**
 * `setImmediate(() => client.execute(…))` in a handler: the write starts
 * after the handler has returned, when kafkajs may already have committed.
 * Returns the scheduler as written, or undefined.
 */
export function deferredWrite(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): string | undefined {
  const scheduler = unwrap(call.expression).getText();
  if (!schedulers.test(scheduler) || inPromiseExecutor(call)) return undefined;
  const task = call.arguments[0] && functionArgument(call.arguments[0], checker);
  return task && writesIn(task, checker, isWriteName) ? scheduler : undefined;
}

/** Does the function hand back a promise (async, or returning one): what an EventEmitter drops? */
export function returnsPromise(fn: FunctionNode, checker: ts.TypeChecker): boolean {
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  const signature = checker.getSignatureFromDeclaration(fn);
  const type = signature && checker.getReturnTypeOfSignature(signature);
  return type?.getSymbol()?.getName() === 'Promise';
}

/**
 * `bus.emit('download', file)` whose listeners (`bus.on('download', async …)`)
 * write asynchronously: emit runs them and drops their promises, so awaiting
 * emit waits for nothing. The listeners found, or none. An emitter whose emit
 * hands back a promise (Emittery) and is awaited does wait: left alone.
 */
export function asyncWritingListeners(
  call: ts.CallExpression,
  contexts: ReplayContexts,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): FunctionNode[] {
  const listeners = contexts.emittedListeners(call);
  if (listeners.length === 0) return [];
  const type = checker.getTypeAtLocation(call);
  const waited = ts.isAwaitExpression(call.parent) || ts.isReturnStatement(call.parent);
  if (waited && (type.flags & ts.TypeFlags.Any || type.getSymbol()?.getName() === 'Promise')) return [];
  return listeners.filter((fn) => returnsPromise(fn, checker) && writesIn(fn, checker, isWriteName));
}
