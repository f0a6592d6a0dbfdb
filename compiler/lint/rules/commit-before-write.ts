import { Node, SyntaxKind, ts, type CallExpression } from 'ts-morph';
import type { ts as morphTs } from 'ts-morph';
import { bufferedWrites } from '../../analysis/call-graph/buffered-writes.ts';
import { graphOf } from '../../analysis/call-graph/morph.ts';
import { describeReach } from '../../analysis/call-graph/replay-contexts.ts';
import { locationOfNode } from '../../analysis/call-graph/nondet.ts';
import { describeLocation } from '../../analysis/describe-location.ts';
import { isFunctionNode } from '../../analysis/call-graph/resolve.ts';
import { heldWrites } from '../driver/held-writes.ts';
import { racedWrite, writesRacedByHelper } from '../driver/raced-writes.ts';
import { autoCommitCallbacks, consumerListeners, type ConsumerListener } from '../driver/kafka-node-consumers.ts';
import { swallowedFailures } from '../driver/swallowed-failures.ts';
import { keptPromises } from '../driver/kept-promises.ts';
import { streamWrite } from '../driver/stream-writes.ts';
import { dispatchedFunctions } from '../../analysis/call-graph/dispatch-tables.ts';
import {
  asyncWritingListeners,
  deferredWrite,
  queuedWrite,
  returnsPromise as functionReturnsPromise,
} from '../driver/unawaited-hand-offs.ts';
import { wrap } from '../find-nodes.ts';
import { defineSourceRule } from '../source-rule.ts';

/** A kafkajs handler as registered, and whether kafkajs commits its offsets itself. */
interface KafkaHandler {
  readonly kind: 'eachMessage' | 'eachBatch';
  readonly fn: Node;
  readonly autoCommit: boolean;
}

type Message =
  | 'floatingWrite'
  | 'asyncForEach'
  | 'offsetBeforeWrite'
  | 'racedWrite'
  | 'bufferedWrite'
  | 'swallowedFailure'
  | 'settledFailure'
  | 'parkedFailure'
  | 'swallowedByHelper'
  | 'timerCommit'
  | 'queuedWrite'
  | 'deferredWrite'
  | 'streamWrite'
  | 'emittedWrite'
  | 'callbackWrite'
  | 'commitInFinally'
  | 'commitBesideWrite'
  | 'awaitedArray'
  | 'partlySwallowed'
  | 'keptPromise';

/** A call as the call graph's compiler API sees it. */
type RawCall = Parameters<typeof queuedWrite>[0];

type Report = (messageId: Message, node: Node, data: Record<string, string | number>) => void;

/** kafkajs's own controls inside a handler: calling them is not a write. */
const kafkaControls = new Set([
  'resolveOffset',
  'commitOffsetsIfNecessary',
  'commitOffsets',
  'heartbeat',
  'pause',
  'resume',
  'uncommittedOffsets',
  'isRunning',
  'isStale',
  // A kafkajs transaction's: the consumer's offsets, committed with the transaction.
  'sendOffsets',
]);
const promiseChain = new Set(['then', 'catch', 'finally']);
const offsetCommits = new Set(['resolveOffset', 'commitOffsetsIfNecessary', 'commitOffsets', 'sendOffsets']);

/** `tx.commit()` after `tx.sendOffsets(…)`: the same transaction ending, which commits the offsets; not a write after them. */
function endsSameTransaction(commit: CallExpression, later: CallExpression): boolean {
  const receiverOf = (call: CallExpression) => {
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) ? callee.getExpression().getText() : undefined;
  };
  return (
    methodName(commit) === 'sendOffsets' &&
    ['commit', 'abort'].includes(methodName(later)) &&
    receiverOf(later) === receiverOf(commit)
  );
}
/** Names that write somewhere, for when the types are not known (an unresolved import reads as `any`). */
const writeNames =
  /^(execute|batch|eachRow|insert|insertOne|insertMany|upsert|update|updateOne|write|save|put|send|index|bulk|bulkWrite|set|hset|incr|incrby|query)$/i;

function methodName(call: CallExpression): string {
  const callee = call.getExpression();
  if (Node.isPropertyAccessExpression(callee)) return callee.getName();
  return Node.isIdentifier(callee) ? callee.getText() : '';
}

/**
 * Type-aware: the call returns a promise; when its type is unknown (any), its name must look like a write, or it
 * picks an async function from a table of the program (`Subscriber[key](value)`, a class's statics in JavaScript).
 */
function returnsPromise(call: CallExpression): boolean {
  const type = call.getType();
  if (type.isAny() || type.isUnknown()) return writeNames.test(methodName(call)) || picksAsyncFromTable(call);
  return isPromiseType(type);
}

function picksAsyncFromTable(call: CallExpression): boolean {
  if (!Node.isElementAccessExpression(call.getExpression())) return false;
  const { node, checker } = graphOf(call);
  const callee = (node as RawCall).expression;
  return dispatchedFunctions(callee, checker).some((fn) => functionReturnsPromise(fn, checker));
}

/** A call whose promise nobody waits for: a statement of its own, or `void call()`. */
function floatingCall(statement: Node): CallExpression | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined;
  let expression = statement.getExpression();
  if (Node.isVoidExpression(expression)) expression = expression.getExpression();
  return Node.isCallExpression(expression) ? expression : undefined;
}

/** A function that returns a promise: an async callback, or one whose signature says so (`(sink) => sink(event)`). */
function returnsPromiseWhenCalled(fn: Node): boolean {
  if ((Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) && fn.isAsync()) return true;
  return fn
    .getType()
    .getCallSignatures()
    .some((signature) => isPromiseType(signature.getReturnType()));
}

function isPromiseType(type: ReturnType<CallExpression['getType']>): boolean {
  if (type.isAny() || type.isUnknown()) return false;
  const symbol = type.getSymbol() ?? type.getApparentType().getSymbol();
  return symbol?.getName() === 'Promise' || type.getText().startsWith('Promise<');
}

/**
 * A write in Node's callback style, `client.execute(cql, params, options, (err) => …)`: it returns no
 * promise, so nothing can await it, and the function that started it returns before it lands. Not when it
 * runs inside a `new Promise(…)` executor: that promise settles in the callback, and is what gets awaited.
 */
function isCallbackWrite(call: CallExpression): boolean {
  if (!writeNames.test(methodName(call)) || kafkaControls.has(methodName(call))) return false;
  const last = call.getArguments().at(-1);
  if (!last || !(Node.isArrowFunction(last) || Node.isFunctionExpression(last)) || last.getParameters().length === 0)
    return false;
  if (isPromiseType(call.getType())) return false;
  return !call.getAncestors().some((a) => Node.isNewExpression(a) && a.getExpression().getText() === 'Promise');
}

const describeCall = (call: CallExpression) => call.getExpression().getText().replace(/\s+/g, '');

/**
 * A function the handler reaches through its calls: a write it starts and
 * does not await lets it resolve first, so the awaiting handler returns and
 * kafkajs commits before the write lands. Its nested callbacks are its own.
 */
function checkReached(
  fn: Node,
  handler: string,
  autoCommit: boolean,
  report: (messageId: Message, node: Node, data: Record<string, string | number>) => void,
): void {
  if (autoCommit) reportSwallowed(fn, handler, () => true, report);
  fn.forEachDescendant((node, traversal) => {
    const nested =
      Node.isArrowFunction(node) ||
      Node.isFunctionExpression(node) ||
      Node.isFunctionDeclaration(node) ||
      Node.isMethodDeclaration(node);
    // Not `return traversal.skip()`: ts-morph ends the whole walk on a returned value, so every statement after
    // the first callback (`cols.map(() => '?')`) went unread.
    if (nested) {
      traversal.skip();
      return;
    }
    if (!Node.isExpressionStatement(node)) return;
    const call = floatingCall(node);
    if (!call || kafkaControls.has(methodName(call)) || reportQueued(call, handler, report)) return;
    if (isCallbackWrite(call)) report('callbackWrite', nameNode(call), { call: describeCall(call), handler });
    else if (returnsPromise(call)) report('floatingWrite', nameNode(call), { call: describeCall(call), handler });
  });
  forEachCallIn(fn, (call) => {
    reportEmitted(call, handler, report);
    reportAwaitedArray(call, handler, report);
    reportRacedByHelper(call, handler, report);
  });
}

const isWriteName = (name: string) => !kafkaControls.has(name) && writeNames.test(name);

/**
 * A statement that gives a write to a queue and drops the task's promise:
 * reported. True when the call hands a write to a queue at all (reported, or
 * drained by an awaited `onIdle()` later): it is then no floating write.
 */
function reportQueued(call: CallExpression, handler: string, report: Report): boolean {
  const graph = graphOf(call);
  const scheduler = deferredWrite(graph.node as RawCall, graph.checker, isWriteName);
  if (scheduler) {
    report('deferredWrite', nameNode(call), { call: scheduler, handler });
    return true;
  }
  const stream = streamWrite(graph.node as RawCall, graph.checker, isWriteName);
  if (stream) {
    if (!stream.waited)
      report('streamWrite', nameNode(call), {
        call: describeCall(call),
        where: describeLocation(locationOfNode(stream.writer)),
        handler,
      });
    return true;
  }
  const queued = queuedWrite(graph.node as RawCall, graph.checker, isWriteName);
  if (!queued) return false;
  if (!queued.drained)
    report('queuedWrite', nameNode(call), { call: describeCall(call), queue: queued.queue, handler });
  return true;
}

/** `await [write(a), write(b)]`: awaiting an array is awaiting a value that is no promise; nothing waits for the writes in it. */
function reportAwaitedArray(call: CallExpression, handler: string, report: Report): void {
  const awaited = call.getParentIfKind(SyntaxKind.ArrayLiteralExpression)?.getParentIfKind(SyntaxKind.AwaitExpression);
  if (awaited && !kafkaControls.has(methodName(call)) && returnsPromise(call))
    report('awaitedArray', nameNode(call), { call: describeCall(call), handler });
}

/** `withTimeout(client.execute(…), 2000)`: a write handed to a function of the program that races it with a timer that resolves. */
function reportRacedByHelper(call: CallExpression, handler: string, report: Report): void {
  if (call.getArguments().length === 0) return;
  const graph = graphOf(call);
  for (const write of writesRacedByHelper(graph.node as RawCall, graph.checker, isWriteName)) {
    const node = wrap(call.getSourceFile(), write);
    report('racedWrite', nameNode(node), {
      call: describeCall(node),
      timer: 'a timer that resolves',
      where: ` inside ${describeCall(call)}() (line ${call.getStartLineNumber()})`,
      handler,
    });
  }
}

/** Write promises kept in module state and awaited only inside an `if` (a threshold). */
function reportKept(fn: Node, handler: string, report: Report): void {
  const graph = graphOf(fn);
  if (!isFunctionNode(graph.node)) return;
  for (const kept of keptPromises(graph.node, graph.checker, isWriteName)) {
    const node = wrap(fn.getSourceFile(), kept.write);
    const test = kept.onlyIf.expression;
    const line = test.getSourceFile().getLineAndCharacterOfPosition(test.getStart()).line + 1;
    const onlyIf = `awaited only when ${test.getText()} (line ${line})`;
    report('keptPromise', nameNode(node), { call: describeCall(node), holder: kept.holder, onlyIf, handler });
  }
}

/** `bus.emit('x', …)` whose listeners write asynchronously: nobody waits for them. */
function reportEmitted(call: CallExpression, handler: string, report: Report): void {
  if (methodName(call) !== 'emit') return;
  const graph = graphOf(call);
  const listeners = asyncWritingListeners(graph.node as RawCall, graph.contexts, graph.checker, isWriteName);
  const first = listeners[0];
  if (!first) return;
  report('emittedWrite', nameNode(call), {
    call: describeCall(call),
    listeners: listeners.length === 1 ? 'a listener' : `${listeners.length} listeners`,
    where: describeLocation(locationOfNode(first)),
    handler,
  });
}

/** Every call below `fn`, in source order; only calls are wrapped in ts-morph nodes (wrapping every node of a handler cost more than the checks). */
function forEachCallIn(fn: Node, visitCall: (call: CallExpression) => void): void {
  const file = fn.getSourceFile();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) visitCall(wrap(file, node));
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.compilerNode, visit);
}

/** The commits of kafka-node (`commit`) and node-rdkafka (`commit`, `commitMessage`, their `…Sync` forms, and `offsetsStore`, which the timer then commits). */
const listenerCommits = new Set(['commit', 'commitSync', 'commitMessage', 'commitMessageSync', 'offsetsStore']);

/**
 * A kafka-node / node-rdkafka listener that commits by hand (its timer commits turned off) and calls the
 * consumer's commit before a write it awaits: the offset is stored first, so a crash before the write
 * lands loses the message, as `resolveOffset()` before the write does in kafkajs.
 */
function reportManualCommitFirst(listener: ConsumerListener, report: Report): void {
  const commits: CallExpression[] = [];
  const writes: CallExpression[] = [];
  forEachCallIn(listener.fn, (call) => {
    const callee = call.getExpression();
    const name = methodName(call);
    if (
      listenerCommits.has(name) &&
      Node.isPropertyAccessExpression(callee) &&
      callee.getExpression().getText() === listener.receiver
    )
      commits.push(call);
    else if (call.getParentIfKind(SyntaxKind.AwaitExpression) && (writeNames.test(name) || returnsPromise(call)))
      writes.push(call);
  });
  const commit = commits[0];
  const later = commit && writes.find((w) => w.getStart() > commit.getStart());
  if (commit && later)
    report('offsetBeforeWrite', nameNode(commit), {
      commit: methodName(commit),
      call: describeCall(later),
      line: later.getStartLineNumber(),
    });
}

/** `Promise.race([write(m), sleep(ms)])`: the write raced against a timer that resolves (raced-writes.ts). */
function reportRaced(race: CallExpression, handler: string, report: Report): void {
  const raced = racedWrite(race, (call) => returnsPromise(call));
  if (raced)
    report('racedWrite', nameNode(raced.write), {
      call: describeCall(raced.write),
      timer: raced.timer.getText().replace(/\s+/g, ' '),
      where: '',
      handler,
    });
}

function checkHandler(
  handler: KafkaHandler,
  report: (messageId: Message, node: Node, data: Record<string, string | number>) => void,
): void {
  const writes: CallExpression[] = [];
  const commits: CallExpression[] = [];
  const handedOff: CallExpression[] = [];
  forEachCallIn(handler.fn, (node) => {
    const name = methodName(node);
    if (name === 'race') reportRaced(node, handler.kind, report);
    reportEmitted(node, handler.kind, report);
    reportAwaitedArray(node, handler.kind, report);
    reportRacedByHelper(node, handler.kind, report);
    if (offsetCommits.has(name)) commits.push(node);
    else if (
      !kafkaControls.has(name) &&
      node.getParentIfKind(SyntaxKind.AwaitExpression) &&
      (writeNames.test(name) || returnsPromise(node))
    )
      writes.push(node);

    const statement =
      node.getParentIfKind(SyntaxKind.ExpressionStatement) ??
      node.getParentIfKind(SyntaxKind.VoidExpression)?.getParentIfKind(SyntaxKind.ExpressionStatement);
    if (!statement || floatingCall(statement) !== node || kafkaControls.has(name)) return;
    // A write inside a task already reported as queued or deferred is that same loss: one finding.
    if (handedOff.some((h) => node.getStart() >= h.getStart() && node.getEnd() <= h.getEnd())) return;
    const callback = node.getArguments()[0];
    if (name === 'forEach' && callback && returnsPromiseWhenCalled(callback)) {
      report('asyncForEach', nameNode(node), { handler: handler.kind });
    } else if (isCallbackWrite(node)) {
      report('callbackWrite', nameNode(node), { call: describeCall(node), handler: handler.kind });
    } else if (reportQueued(node, handler.kind, report)) {
      // a queued or deferred write: reported there, or drained before the handler returns
      handedOff.push(node);
    } else if (returnsPromise(node)) {
      report('floatingWrite', nameNode(node), { call: describeCall(node), handler: handler.kind });
    }
  });
  // `const p = write(m); inflight.add(p);`: a write kept in a name the handler never waits for.
  for (const held of heldWrites(handler.fn, (call) => !kafkaControls.has(methodName(call)) && returnsPromise(call)))
    report('floatingWrite', nameNode(held), { call: describeCall(held), handler: handler.kind });
  for (const commit of commits) {
    if (reportUnorderedCommit(commit, handler.kind, report)) continue;
    const later = writes.find((w) => w.getStart() > commit.getStart() && !endsSameTransaction(commit, w));
    if (later)
      report('offsetBeforeWrite', nameNode(commit), {
        commit: methodName(commit),
        call: describeCall(later),
        line: later.getStartLineNumber(),
      });
  }
  reportKept(handler.fn, handler.kind, report);
  if (handler.autoCommit) reportBuffered(handler, report);
  // Without autoCommit, a failure swallowed before the handler commits the offset itself is lost the same way.
  reportSwallowed(
    handler.fn,
    handler.kind,
    (at) => handler.autoCommit || commits.some((c) => c.getStart() >= at.end),
    report,
  );
}

/**
 * A commit not ordered after the write: in the `finally` of a `try` that writes (it runs when the write
 * failed too), or beside the write in `Promise.all([write(), commitOffsets()])` (both in flight at once).
 */
function reportUnorderedCommit(commit: CallExpression, handler: string, report: Report): boolean {
  const isWrite = (call: CallExpression) =>
    !kafkaControls.has(methodName(call)) && !promiseChain.has(methodName(call)) && returnsPromise(call);
  const attempt = commit.getAncestors().find(Node.isTryStatement);
  const guarded = attempt?.getFinallyBlock()?.containsRange(commit.getPos(), commit.getEnd());
  const written = guarded
    ? attempt!.getTryBlock().getDescendantsOfKind(SyntaxKind.CallExpression).find(isWrite)
    : undefined;
  if (written) {
    report('commitInFinally', nameNode(commit), describeCommit(commit, written, 'finally'));
    return true;
  }
  const group = commit.getParentIfKind(SyntaxKind.ArrayLiteralExpression);
  const together = group?.getParentIfKind(SyntaxKind.CallExpression);
  if (!group || !together || !/^Promise\.(all|allSettled|any|race)$/.test(together.getExpression().getText()))
    return false;
  const beside = group
    .getElements()
    .flatMap((e) => (Node.isCallExpression(e) ? [e] : e.getDescendantsOfKind(SyntaxKind.CallExpression)))
    .find((call) => call !== commit && isWrite(call));
  if (!beside) return false;
  report('commitBesideWrite', nameNode(commit), describeCommit(commit, beside, together.getExpression().getText()));
  return true;
}

const describeCommit = (commit: CallExpression, write: CallExpression, where: string) => ({
  commit: methodName(commit),
  call: describeCall(write),
  line: write.getStartLineNumber(),
  where,
});

/** A try/catch in the handler whose catch only logs a failed write: the handler returns, and the offset is committed. */
function reportSwallowed(
  fn: Node,
  handler: string,
  commitsAfter: (at: { readonly end: number }) => boolean,
  report: (messageId: Message, node: Node, data: Record<string, string | number>) => void,
): void {
  const graph = graphOf(fn);
  const file = fn.getSourceFile();
  const isWriteName = (name: string) => !kafkaControls.has(name) && writeNames.test(name);
  for (const { scope, handler: letGo, inHelper, writes, settled, parked, partly } of swallowedFailures(
    graph.node,
    graph.checker,
    isWriteName,
  )) {
    if (!commitsAfter(scope)) continue;
    const last = wrap(file, writes[writes.length - 1]! as unknown as morphTs.CallExpression);
    const messageId = settled
      ? 'settledFailure'
      : partly
        ? 'partlySwallowed'
        : parked
          ? 'parkedFailure'
          : inHelper
            ? 'swallowedByHelper'
            : 'swallowedFailure';
    report(messageId, wrap(file, letGo as unknown as morphTs.Node), {
      call: describeCall(last),
      line: last.getStartLineNumber(),
      helper: letGo.getText(),
      parked: parked ? parked.expression.getText().replace(/\s+/g, '') : '',
      letGo: partly ?? '',
      where: inHelper ? describeLocation(locationOfNode(inHelper)) : '',
      handler,
      partial:
        writes.length > 1
          ? ` If an earlier write of the try landed and a later one failed, the message stays half applied.`
          : '',
    });
  }
}

/** The handler only fills a buffer that a timer writes out: the commit overtakes the write by a whole tick. */
function reportBuffered(
  handler: KafkaHandler,
  report: (messageId: Message, node: Node, data: Record<string, string | number>) => void,
): void {
  const graph = graphOf(handler.fn);
  if (!isFunctionNode(graph.node)) return;
  const file = handler.fn.getSourceFile();
  for (const { put, timer } of bufferedWrites(graph.node, graph.checker)) {
    const at = wrap(file, put as unknown as morphTs.CallExpression);
    const line = timer.getSourceFile().getLineAndCharacterOfPosition(timer.getStart()).line + 1;
    report('bufferedWrite', nameNode(at), {
      call: describeCall(at),
      timer: timer.expression.getText(),
      line,
      handler: handler.kind,
    });
  }
}

function nameNode(call: CallExpression): Node {
  const callee = call.getExpression();
  return Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
}

/**
 * The seed's lost-message case in kafkajs: the offset is committed before the
 * sink write completes. kafkajs commits (autoCommit) once `eachMessage`
 * resolves; a write that is not awaited, or an offset resolved before the
 * write, lets the commit overtake it, and a crash in between loses the message.
 */
export default defineSourceRule<Message>({
  meta: {
    code: 'IDEM012',
    name: 'commit-before-write',
    severity: 'error',
    description:
      "A Kafka consumer lets the offset commit overtake the sink write (a write not awaited, an offset resolved first, a failed write only logged, kafka-node's timer commit): a crash in between, or the failure, loses the message.",
    messages: {
      floatingWrite:
        '`{{call}}(…)` is not awaited in the {{handler}} handler: kafkajs commits the offset when the handler returns, possibly before this write lands; a crash in between loses the message.',
      asyncForEach:
        'forEach does not wait for the promises its callback returns: the {{handler}} handler returns, and kafkajs commits the offset, before the writes inside it complete.',
      bufferedWrite:
        '`{{call}}(…)` only buffers the message for a timer or a background loop ({{timer}} at line {{line}}) that writes it later: kafkajs commits the offset when the {{handler}} handler returns, so a crash before the flush loses it.',
      racedWrite:
        '`{{call}}(…)` races `{{timer}}` in Promise.race{{where}}: when the timer wins, the {{handler}} handler returns and kafkajs commits the offset while the write is still in flight; a crash then loses the message.',
      offsetBeforeWrite:
        '{{commit}}() marks the offset done before `{{call}}(…)` (line {{line}}) completes: a commit in between, then a crash, loses the message.',
      timerCommit:
        "`{{call}}(…)` runs in a {{library}} {{consumer}} '{{event}}' listener with {{setting}} on: {{library}} commits fetched offsets on a timer, never waiting for this write, so a crash after a commit and before the write lands loses the message.",
      swallowedFailure:
        'This catch only logs when `{{call}}(…)` (line {{line}}) fails: the {{handler}} handler returns normally, kafkajs commits the offset, and the message is lost.{{partial}}',
      keptPromise:
        'The promise of `{{call}}(…)` is kept in {{holder}}, {{onlyIf}}: the {{handler}} handler can return with the write in flight, kafkajs commits the offset, and a write that then fails (or a crash before it lands) loses the message.',
      partlySwallowed:
        'This catch rethrows only some failures of `{{call}}(…)` (line {{line}}) and only logs {{letGo}}: for those the {{handler}} handler returns normally, kafkajs commits the offset, and the message is lost.{{partial}}',
      parkedFailure:
        'This catch keeps the message in memory (`{{parked}}(…)`) for a later retry when `{{call}}(…)` (line {{line}}) fails: the {{handler}} handler returns normally, kafkajs commits the offset, and a crash or rebalance before the retry loses the message.{{partial}}',
      settledFailure:
        'Promise.allSettled turns a failure of `{{call}}(…)` (line {{line}}) into a result, and nothing throws it: the {{handler}} handler returns normally, kafkajs commits the offset, and the message is lost.',
      swallowedByHelper:
        '`{{helper}}(…)` lets the failure of `{{call}}(…)` go (its catch at {{where}} only logs or returns a value): the {{handler}} handler returns normally, kafkajs commits the offset, and the message is lost.',
      queuedWrite:
        '`{{call}}(…)` hands a write to the queue `{{queue}}` and drops the promise that says it landed: the {{handler}} handler returns, kafkajs commits the offset, and a crash before the queued write runs loses the message.',
      streamWrite:
        "`{{call}}(…)` hands the message to a stream whose method at {{where}} writes it later: a stream's write() returns at once, so the {{handler}} handler returns, kafkajs commits the offset, and a crash before that write lands loses the message.",
      deferredWrite:
        '`{{call}}(…)` starts a write after the {{handler}} handler has returned: kafkajs commits the offset when the handler returns, so a crash before the deferred write lands loses the message.',
      callbackWrite:
        '`{{call}}(…)` reports through a callback and returns no promise to await: the {{handler}} handler returns, and kafkajs commits the offset, before the write lands; a crash in between loses the message.',
      awaitedArray:
        '`await` of an array does not wait for the promises in it: `{{call}}(…)` may land after the {{handler}} handler returned and kafkajs committed the offset; a crash in between loses the message.',
      commitInFinally:
        '{{commit}}() in `finally` commits the offset also when `{{call}}(…)` (line {{line}}) failed: the message is skipped and never written.',
      commitBesideWrite:
        '{{commit}}() runs at the same time as `{{call}}(…)` (line {{line}}) in {{where}}: the commit can land first, and a crash or a failed write then loses the message.',
      emittedWrite:
        "`{{call}}(…)` runs {{listeners}} ({{where}}) with an asynchronous write: an EventEmitter does not wait for a listener's promise, so the {{handler}} handler returns and kafkajs commits the offset before the write lands; a crash in between loses the message.",
    },
    fixes: {
      floatingWrite:
        'await the write (or return its promise) so the handler resolves only after the sink acknowledged it.',
      asyncForEach:
        'Use `for (const m of batch.messages) { await write(m) }` or `await Promise.all(messages.map(write))`.',
      bufferedWrite:
        "Turn autoCommit off and commit the buffered messages' offsets after the flush has been awaited, or write in the handler (eachBatch writes a whole batch at once).",
      racedWrite:
        'Await the write itself; to bound it, race it against a timer that rejects (the handler then fails and the message comes again), never one that resolves.',
      offsetBeforeWrite: 'Call resolveOffset / commit only after the write is awaited, message by message.',
      timerCommit:
        "Create the consumer with autoCommit: false (node-rdkafka: 'enable.auto.commit': false) and commit after the write has been awaited (consumer.commit(), node-rdkafka's commitMessage(msg)); pause the consumer while writes are pending if they can pile up.",
      queuedWrite:
        'await the task (`await queue.add(…)`), or `await queue.onIdle()` before the handler returns, so the offset is committed only after the write landed.',
      streamWrite:
        'Wait for the stream before the handler returns: `await new Promise((ok, fail) => out.write(row, (e) => (e ? fail(e) : ok())))`, or end it and `await finished(out)` (or an awaited `pipeline(…)`), so the offset is committed after the write landed.',
      deferredWrite:
        "Await the write in the handler; to wait first, `await setTimeout(ms)` from 'node:timers/promises', then write.",
      callbackWrite:
        "Use the driver's promise form (`await client.execute(cql, params, options)`), or wrap the call in a promise that settles in its callback and await that.",
      awaitedArray: 'await Promise.all([…]) instead of the bare array.',
      commitInFinally:
        'Commit after the awaited write, not in `finally`: a failed write then leaves the offset uncommitted, and Kafka delivers the message again.',
      commitBesideWrite: 'Await the write first, then commit: `await write(); await consumer.commitOffsets(…)`.',
      emittedWrite:
        'Call the write from the handler and await it, or use an emitter that waits for its listeners (`await emittery.emit(…)`); an EventEmitter is for things that may be lost (metrics, logs).',
      parkedFailure:
        'Rethrow, so kafkajs delivers the message again (with its retry and backoff), or park it durably before the handler returns: a retry topic (await producer.send) or a dead-letter table.',
      settledFailure:
        'Use Promise.all (a failed write fails the handler, and kafkajs delivers the message again), or throw when a result is rejected.',
      swallowedByHelper:
        'Let the helper rethrow after logging (or await the write itself), so a failed write rejects the handler and kafkajs delivers the message again.',
      keptPromise: 'Await the kept promises before the handler returns, on every path: `await Promise.all(tasks)`.',
      partlySwallowed:
        'Rethrow every failure the write may have (a timeout is one), or send the message to a dead-letter topic or table for those you let go, so a failed write is never committed past.',
      swallowedFailure:
        'Rethrow after logging (kafkajs then delivers the message again), or send the message to a dead-letter topic or table in the catch, so a failed write is never committed past.',
    },
  },
  check(file, context) {
    // Every handler whose function is in this file, as the call graph found it registered: inline in
    // `consumer.run({ eachMessage })`, by name, through a wrapper, or the function `p => this.handle(p)` hands over to.
    const seen = new Set<unknown>();
    for (const registered of graphOf(file).contexts.handlersIn(file.getFilePath())) {
      if (seen.has(registered.fn)) continue;
      seen.add(registered.fn);
      checkHandler(
        {
          kind: registered.kind,
          fn: wrap(file, registered.fn as unknown as morphTs.Node),
          autoCommit: registered.autoCommit,
        },
        (messageId, node, data) => context.report({ messageId, node, data }),
      );
    }
    for (const listener of autoCommitCallbacks(file, context.evaluator))
      forEachCallIn(listener.fn, (call) => {
        const name = methodName(call);
        // `write().catch(log)`: the write is the call, not the handlers chained to its promise.
        if (promiseChain.has(name) || kafkaControls.has(name)) return;
        if (writeNames.test(name) || returnsPromise(call))
          context.report({
            messageId: 'timerCommit',
            node: nameNode(call),
            data: {
              call: describeCall(call),
              consumer: listener.consumer,
              library: listener.library,
              event: listener.event,
              setting: listener.setting,
            },
          });
      });
    for (const listener of consumerListeners(file, context.evaluator))
      if (!listener.autoCommit)
        reportManualCommitFirst(listener, (messageId, node, data) => context.report({ messageId, node, data }));
    const graph = graphOf(file);
    for (const [reached, how] of graph.contexts.reachedFromHandlersIn(graph.node))
      checkReached(
        wrap(file, reached as unknown as morphTs.Node),
        `${how.handler}${describeReach(how)}`,
        how.autoCommit,
        (messageId, node, data) => context.report({ messageId, node, data }),
      );
  },
});
