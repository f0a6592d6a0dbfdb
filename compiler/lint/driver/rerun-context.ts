import { Node, SyntaxKind } from 'ts-morph';
import { kafkaHandlerAround, retryHelperAround, retryLoopAround } from './call-context.ts';

/** Why the code around a write can run twice for the same input, in words for a message. */
export interface RerunContext {
  readonly describe: string;
  /** Where that context starts (the handler, the retry call, the loop). */
  readonly node: Node;
  /**
   * `retry`: the same process runs the code again, so a value computed
   * outside `node` stays the same on every attempt. `delivery`: the input
   * comes again, possibly after a restart, so every value is computed anew.
   */
  readonly kind: 'retry' | 'delivery';
  /** When found through callers: the function of the write that the context calls, run whole each time. */
  readonly calledFunction?: Node;
}

/** How many callers up a write's function is followed to find a handler or retry that calls it. */
const maxCallerDepth = 3;

const isFunction = (node: Node) =>
  Node.isArrowFunction(node) ||
  Node.isFunctionExpression(node) ||
  Node.isFunctionDeclaration(node) ||
  Node.isMethodDeclaration(node);

/** Consumer and stream callbacks that run again for the same record after a crash, rebalance or restart. */
const streamEvents = new Set(['data', 'message']);

/**
 * node-rdkafka / Confluent `consumer.on('data', fn)`, `consumer.consume(n, cb)`,
 * and a Node stream `new Transform({ transform(chunk, …) { … } })`: each
 * record is delivered at least once, so the callback may see it again.
 */
function streamStepAround(node: Node): RerunContext | undefined {
  for (const fn of node.getAncestors().filter(isFunction)) {
    const call = fn.getParentIfKind(SyntaxKind.CallExpression);
    const callee = call?.getExpression();
    if (call && callee && Node.isPropertyAccessExpression(callee)) {
      const method = callee.getName();
      const first = call.getArguments()[0];
      if (method === 'on' && first && Node.isStringLiteral(first) && streamEvents.has(first.getLiteralValue()))
        return {
          describe: `a consumer's '${first.getLiteralValue()}' callback (delivered at least once)`,
          node: call,
          kind: 'delivery',
        };
      if (method === 'consume' && call.getArguments().includes(fn as never))
        return { describe: 'a consume() callback (delivered at least once)', node: call, kind: 'delivery' };
    }
    const holder = Node.isMethodDeclaration(fn) ? fn : fn.getParentIfKind(SyntaxKind.PropertyAssignment);
    const created = holder
      ?.getParentIfKind(SyntaxKind.ObjectLiteralExpression)
      ?.getParentIfKind(SyntaxKind.NewExpression);
    if (
      holder &&
      created &&
      holder.getSymbol()?.getName() === 'transform' &&
      /Transform$/.test(created.getExpression().getText())
    )
      return {
        describe: 'a stream Transform step (records are replayed after a restart)',
        node: created,
        kind: 'delivery',
      };
  }
  return undefined;
}

/** The context around `node` itself, without following callers. */
function localContext(node: Node): RerunContext | undefined {
  const handler = kafkaHandlerAround(node);
  if (handler)
    return {
      describe: `a kafkajs ${handler.kind} handler (delivered at least once)`,
      node: handler.fn,
      kind: 'delivery',
    };
  const helper = retryHelperAround(node);
  if (helper)
    return {
      describe: `${helper.getExpression().getText()}(), which runs it again on failure`,
      node: helper,
      kind: 'retry',
    };
  const loop = retryLoopAround(node);
  if (loop) return { describe: `a retry loop (line ${loop.getStartLineNumber()})`, node: loop, kind: 'retry' };
  return streamStepAround(node);
}

/** The name node a function is called by: `function save`, `const save = () =>`, a method's name. */
function nameOf(fn: Node): Node | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getNameNode();
  const declaration = fn.getParentIfKind(SyntaxKind.VariableDeclaration);
  return declaration?.getNameNode();
}

/**
 * Where the code at `node` can run twice for the same input: a Kafka
 * handler, a retry helper or loop, a consumer or stream callback — around it,
 * or around a call of the function it is in (followed up to three callers,
 * through the checker's references). Outside all of these, only the driver
 * resends a statement, and it resends the same bound values.
 */
/** A value computed at `declaration` is computed anew on each rerun (not once, outside a retry around the write). */
export function recomputedOnRerun(declaration: Node, context: RerunContext): boolean {
  if (context.kind === 'delivery') return true;
  const inside = (outer: Node) =>
    declaration.getSourceFile() === outer.getSourceFile() &&
    declaration.getStart() >= outer.getStart() &&
    declaration.getEnd() <= outer.getEnd();
  return inside(context.node) || (context.calledFunction !== undefined && inside(context.calledFunction));
}

export function rerunContextOf(node: Node, depth = 0, seen = new Set<Node>()): RerunContext | undefined {
  const here = localContext(node);
  if (here || depth >= maxCallerDepth) return here;
  const fn = node.getAncestors().find(isFunction);
  const name = fn ? nameOf(fn) : undefined;
  if (!fn || !name || seen.has(fn) || !Node.isIdentifier(name)) return undefined;
  seen.add(fn);
  for (const reference of name.findReferencesAsNodes()) {
    if (reference === name) continue;
    const found = rerunContextOf(reference, depth + 1, seen);
    if (found)
      return {
        ...found,
        calledFunction: fn,
        describe: `${found.describe}, through ${name.getText()}() at line ${reference.getStartLineNumber()}`,
      };
  }
  return undefined;
}
