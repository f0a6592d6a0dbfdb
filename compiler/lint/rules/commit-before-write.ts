import { Node, SyntaxKind, ts, type CallExpression } from 'ts-morph';
import type { ts as morphTs } from 'ts-morph';
import { bufferedWrites } from '../../analysis/call-graph/buffered-writes.ts';
import { graphOf } from '../../analysis/call-graph/morph.ts';
import { describeReach } from '../../analysis/call-graph/replay-contexts.ts';
import { isFunctionNode } from '../../analysis/call-graph/resolve.ts';
import { findNodes, wrap } from '../find-nodes.ts';
import { kafkaHandlerOf, type KafkaHandler } from '../driver/call-context.ts';
import { defineSourceRule } from '../source-rule.ts';

type Message = 'floatingWrite' | 'asyncForEach' | 'offsetBeforeWrite' | 'bufferedWrite';

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
]);
const offsetCommits = new Set(['resolveOffset', 'commitOffsetsIfNecessary', 'commitOffsets']);
/** Names that write somewhere, for when the types are not known (an unresolved import reads as `any`). */
const writeNames =
  /^(execute|batch|eachRow|insert|insertOne|insertMany|upsert|update|updateOne|write|save|put|send|index|bulk|bulkWrite|set|hset|incr|incrby|query)$/i;

function methodName(call: CallExpression): string {
  const callee = call.getExpression();
  if (Node.isPropertyAccessExpression(callee)) return callee.getName();
  return Node.isIdentifier(callee) ? callee.getText() : '';
}

/** Type-aware: the call returns a promise; when its type is unknown (any), its name must look like a write. */
function returnsPromise(call: CallExpression): boolean {
  const type = call.getType();
  if (type.isAny() || type.isUnknown()) return writeNames.test(methodName(call));
  const symbol = type.getSymbol() ?? type.getApparentType().getSymbol();
  return symbol?.getName() === 'Promise' || type.getText().startsWith('Promise<');
}

/** A call whose promise nobody waits for: a statement of its own, or `void call()`. */
function floatingCall(statement: Node): CallExpression | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined;
  let expression = statement.getExpression();
  if (Node.isVoidExpression(expression)) expression = expression.getExpression();
  return Node.isCallExpression(expression) ? expression : undefined;
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
  report: (messageId: Message, node: Node, data: Record<string, string | number>) => void,
): void {
  fn.forEachDescendant((node, traversal) => {
    const nested =
      Node.isArrowFunction(node) ||
      Node.isFunctionExpression(node) ||
      Node.isFunctionDeclaration(node) ||
      Node.isMethodDeclaration(node);
    if (nested) return traversal.skip();
    if (!Node.isExpressionStatement(node)) return;
    const call = floatingCall(node);
    if (call && !kafkaControls.has(methodName(call)) && returnsPromise(call))
      report('floatingWrite', nameNode(call), { call: describeCall(call), handler });
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

function checkHandler(
  handler: KafkaHandler,
  report: (messageId: Message, node: Node, data: Record<string, string | number>) => void,
): void {
  const writes: CallExpression[] = [];
  const commits: CallExpression[] = [];
  forEachCallIn(handler.fn, (node) => {
    const name = methodName(node);
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
    const callback = node.getArguments()[0];
    if (
      name === 'forEach' &&
      callback &&
      (Node.isArrowFunction(callback) || Node.isFunctionExpression(callback)) &&
      callback.isAsync()
    ) {
      report('asyncForEach', nameNode(node), { handler: handler.kind });
    } else if (returnsPromise(node)) {
      report('floatingWrite', nameNode(node), { call: describeCall(node), handler: handler.kind });
    }
  });
  for (const commit of commits) {
    const later = writes.find((w) => w.getStart() > commit.getStart());
    if (later)
      report('offsetBeforeWrite', nameNode(commit), {
        commit: methodName(commit),
        call: describeCall(later),
        line: later.getStartLineNumber(),
      });
  }
  if (handler.autoCommit) reportBuffered(handler, report);
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
      'A kafkajs handler lets the offset commit overtake the sink write (a write not awaited, or an offset resolved first): a crash in between loses the message.',
    messages: {
      floatingWrite:
        '`{{call}}(…)` is not awaited in the {{handler}} handler: kafkajs commits the offset when the handler returns, possibly before this write lands; a crash in between loses the message.',
      asyncForEach:
        'forEach does not wait for its async callback: the {{handler}} handler returns, and kafkajs commits the offset, before the writes inside it complete.',
      bufferedWrite:
        '`{{call}}(…)` only buffers the message for a timer ({{timer}} at line {{line}}) that writes it later: kafkajs commits the offset when the {{handler}} handler returns, so a crash before the flush loses it.',
      offsetBeforeWrite:
        '{{commit}}() marks the offset done before `{{call}}(…)` (line {{line}}) completes: a commit in between, then a crash, loses the message.',
    },
    fixes: {
      floatingWrite:
        'await the write (or return its promise) so the handler resolves only after the sink acknowledged it.',
      asyncForEach:
        'Use `for (const m of batch.messages) { await write(m) }` or `await Promise.all(messages.map(write))`.',
      bufferedWrite:
        "Turn autoCommit off and commit the buffered messages' offsets after the flush has been awaited, or write in the handler (eachBatch writes a whole batch at once).",
      offsetBeforeWrite: 'Call resolveOffset / commit only after the write is awaited, message by message.',
    },
  },
  check(file, context) {
    for (const name of findNodes(
      file,
      (n): n is ts.Identifier => ts.isIdentifier(n) && (n.text === 'eachMessage' || n.text === 'eachBatch'),
    )) {
      const holder = name.getParent();
      const fn = Node.isPropertyAssignment(holder)
        ? holder.getInitializer()
        : Node.isMethodDeclaration(holder)
          ? holder
          : undefined;
      const handler = fn ? kafkaHandlerOf(fn) : undefined;
      if (handler) checkHandler(handler, (messageId, node, data) => context.report({ messageId, node, data }));
    }
    // Handlers declared apart from `consumer.run` (by name, or the function `p => this.handle(p)` hands over to), found by the call graph.
    const filePath = file.getFilePath();
    const seen = new Set<unknown>();
    for (const registered of graphOf(file).contexts.handlersIn(filePath)) {
      if (seen.has(registered.fn)) continue;
      seen.add(registered.fn);
      const fn = wrap(file, registered.fn as unknown as morphTs.Node);
      if (kafkaHandlerOf(fn)) continue;
      checkHandler(
        { kind: registered.kind, fn, options: fn, autoCommit: registered.autoCommit },
        (messageId, node, data) => context.report({ messageId, node, data }),
      );
    }
    const graph = graphOf(file);
    for (const [reached, how] of graph.contexts.reachedFromHandlersIn(graph.node))
      checkReached(
        wrap(file, reached as unknown as morphTs.Node),
        `${how.handler}${describeReach(how)}`,
        (messageId, node, data) => context.report({ messageId, node, data }),
      );
  },
});
