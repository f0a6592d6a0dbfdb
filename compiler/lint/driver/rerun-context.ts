import { Node, SyntaxKind, type ClassDeclaration } from 'ts-morph';
import ts from 'typescript';
import { graphOf } from '../../analysis/call-graph/morph.ts';
import {
  describeReach,
  handlerLabel,
  resentFrom,
  type ReplayContext,
} from '../../analysis/call-graph/replay-contexts.ts';
import { isFunctionNode } from '../../analysis/call-graph/resolve.ts';
import { retryLoopAround } from '../../analysis/call-graph/retry-shape.ts';
import { indirectCallSitesOf } from './indirect-call-sites.ts';
import { kafkaStreamLoopAround } from './kafka-stream-loop.ts';
import { lambdaHandlerAround } from './lambda-handlers.ts';
import { temporalActivityAround } from './temporal-activities.ts';
import { lookupTable } from '../../analysis/lookup-table.ts';

const tsFindAncestor = ts.findAncestor;

/** Why the code around a write can run twice for the same input, in words for a message. */
export interface RerunContext {
  readonly describe: string;
  /** Where that context starts (the handler, the retry call, the loop). */
  readonly node: ts.Node;
  /**
   * `retry`: the same process runs the code again, so a value computed
   * outside `node` stays the same on every attempt. `delivery`: the input
   * comes again, possibly after a restart, so every value is computed anew.
   */
  readonly kind: 'retry' | 'delivery';
  /** When found through callers: the function of the write that the context calls, run whole each time. */
  readonly calledFunction?: ts.Node;
  /** A kafkajs handler or retry helper as the call graph found it (with the calls between it and the write); not when found through callers. */
  readonly replay?: ReplayContext;
}

/** How many callers up a write's function is followed to find a handler or retry that calls it. */
const maxCallerDepth = 3;

/** The four kinds of function the call graph follows (resolve.ts's isFunctionNode), on a ts-morph node. */
export const isFunction = (node: Node) =>
  Node.isArrowFunction(node) ||
  Node.isFunctionExpression(node) ||
  Node.isFunctionDeclaration(node) ||
  Node.isMethodDeclaration(node);

/** Consumer and stream callbacks that run again for the same record after a crash, rebalance or restart. */
const streamEvents = new Set(['data', 'message']);

/** What registering `callback` with `call` means: a consumer's `on('data', cb)` or `consume(n, cb)` delivers again. */
function registeredBy(call: Node, callback: Node): RerunContext | undefined {
  if (!Node.isCallExpression(call) || !call.getArguments().includes(callback)) return undefined;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.getName();
  const first = call.getArguments()[0];
  if (isNodeCoreEmitter(callee.getExpression())) return undefined;
  if (method === 'on' && first && Node.isStringLiteral(first) && streamEvents.has(first.getLiteralValue()))
    return {
      describe: `a consumer's '${first.getLiteralValue()}' callback (delivered at least once)`,
      node: graphOf(call).node,
      kind: 'delivery',
    };
  if (method === 'consume')
    return { describe: 'a consume() callback (delivered at least once)', node: graphOf(call).node, kind: 'delivery' };
  return undefined;
}

/**
 * A receiver typed by Node's own modules — worker_threads' `parentPort` or a
 * `Worker`, a child process, a socket (unseen round 10, U10D): its 'message' and
 * 'data' events come once, from this process's own peers; no broker delivers them again.
 */
function isNodeCoreEmitter(receiver: Node): boolean {
  const declarations = receiver.getType().getNonNullableType().getSymbol()?.getDeclarations() ?? [];
  return (
    declarations.length > 0 &&
    declarations.every((d) => /[\\/]@types[\\/]node[\\/]/.test(d.getSourceFile().getFilePath()))
  );
}

/**
 * A function handed over by name where `name` refers to it: `consumer.on('data', onData)`,
 * `consumer.on('data', this.onData.bind(this))`. The function then runs as that callback.
 */
function handedOverAt(name: Node): RerunContext | undefined {
  let value: Node = name;
  const member = value.getParent();
  if (member && Node.isPropertyAccessExpression(member) && member.getNameNode() === value) value = member;
  const bind = value.getParent();
  const bound = bind?.getParent();
  if (
    bind &&
    Node.isPropertyAccessExpression(bind) &&
    bind.getName() === 'bind' &&
    bound &&
    Node.isCallExpression(bound)
  )
    value = bound;
  const call = value.getParent();
  return call ? registeredBy(call, value) : undefined;
}

/**
 * node-rdkafka / Confluent `consumer.on('data', fn)`, `consumer.consume(n, cb)`,
 * `for await (const m of consumerStream)`, and a Node stream step (`new Transform({ transform(chunk, …) { … } })`,
 * a Writable's `write`, a subclass's `_transform` / `_write`): each
 * record is delivered at least once, so the callback may see it again.
 */
function streamStepAround(node: Node): RerunContext | undefined {
  const handedOver = handedOverAt(node);
  if (handedOver) return handedOver;
  const loop = kafkaStreamLoopAround(node);
  if (loop)
    return {
      describe: 'a `for await` loop over a Kafka consumer stream (each message delivered at least once)',
      node: graphOf(loop).node,
      kind: 'delivery',
    };
  for (const fn of node.getAncestors().filter(isFunction)) {
    const call = fn.getParentIfKind(SyntaxKind.CallExpression);
    const registered = call && registeredBy(call, fn);
    if (registered) return registered;
    const step = streamStepOf(fn);
    if (step)
      return {
        describe: `a stream ${step.kind} step (records are replayed after a restart)`,
        node: graphOf(step.at).node,
        kind: 'delivery',
      };
  }
  return undefined;
}

/** The methods a stream runs once a record, by the stream's class: options of `new X({ … })`, or `_x` of a subclass. */
const recordMethods = lookupTable<readonly string[]>({
  Transform: ['transform'],
  Writable: ['write', 'writev'],
  Duplex: ['write', 'writev'],
});

/** `Transform`, `stream.Writable`, `Writable` of any import: the stream class a name ends with. */
const streamClassOf = (written: string) => /(Transform|Writable|Duplex)$/.exec(written)?.[1];

/**
 * A function a Node stream runs for each record: `transform` / `write` in the
 * options of `new Transform({ … })` / `new Writable({ … })`, or `_transform` /
 * `_write` / `_writev` of a class that extends one. Returns what creates the
 * stream (the `new`, or the class).
 */
function streamStepOf(fn: Node): { kind: string; at: Node } | undefined {
  const holder = Node.isMethodDeclaration(fn) ? fn : fn.getParentIfKind(SyntaxKind.PropertyAssignment);
  const name = holder?.getSymbol()?.getName();
  if (!holder || !name) return undefined;
  const created = holder.getParentIfKind(SyntaxKind.ObjectLiteralExpression)?.getParentIfKind(SyntaxKind.NewExpression);
  const createdKind = created && streamClassOf(created.getExpression().getText());
  if (created && createdKind && recordMethods[createdKind]!.includes(name)) return { kind: createdKind, at: created };
  const owner = Node.isMethodDeclaration(holder) ? holder.getParentIfKind(SyntaxKind.ClassDeclaration) : undefined;
  const base = owner?.getExtends()?.getExpression().getText();
  const baseKind = base && streamClassOf(base);
  if (owner && baseKind && name.startsWith('_') && recordMethods[baseKind]!.includes(name.slice(1)))
    return { kind: baseKind, at: owner };
  return undefined;
}

/** A handler or retry helper the call graph reached, as a rerun context. */
function fromReplay(replay: ReplayContext, at: ts.Node): RerunContext {
  const via = describeReach(replay);
  if (replay.kind === 'kafka')
    return {
      describe: `a ${handlerLabel(replay.handler)} handler (delivered at least once)${via}`,
      node: replay.registeredAt,
      kind: 'delivery',
      replay,
    };
  // Reached through calls: the write's own function runs whole on every attempt.
  const fn = replay.via.length > 0 ? tsFindAncestor(at.parent, isFunctionNode) : undefined;
  return {
    describe: `${replay.helper}(), which runs it again on failure${via}`,
    node: replay.calledAt,
    kind: 'retry',
    replay,
    ...(fn ? { calledFunction: fn } : {}),
  };
}

/** The context around `node` itself, without following callers. */
function localContext(node: Node): RerunContext | undefined {
  const graph = graphOf(node);
  const replay = graph.contexts.contextOf(graph.node);
  if (replay) return fromReplay(replay, graph.node);
  const loop = retryLoopAround(graph.node, graph.checker);
  if (loop) {
    const line = loop.getSourceFile().getLineAndCharacterOfPosition(loop.getStart()).line + 1;
    return { describe: `a retry loop (line ${line})`, node: loop, kind: 'retry' };
  }
  return resentCall(graph.node) ?? streamStepAround(node) ?? lambdaContext(node) ?? temporalContext(node);
}

/** A Temporal activity around `node`: the workflow's proxy runs it again, whole, when an attempt fails or times out. */
function temporalContext(node: Node): RerunContext | undefined {
  const activity = temporalActivityAround(node);
  if (!activity) return undefined;
  const fn = graphOf(activity.at).node;
  return { describe: activity.describe, node: fn, kind: 'retry', calledFunction: fn };
}

/** An AWS Lambda event-source handler around `node`: its batch is handed over again after a failure. */
function lambdaContext(node: Node): RerunContext | undefined {
  const lambda = lambdaHandlerAround(node);
  return lambda && { describe: lambda.describe, node: graphOf(lambda.at).node, kind: 'delivery' };
}

/** `bump()` called again in a failure handler of the promise of an earlier `bump()` (`.catch(() => bump())`, a reduce of them). */
function resentCall(name: ts.Node): RerunContext | undefined {
  const callee = ts.isPropertyAccessExpression(name.parent) && name.parent.name === name ? name.parent : name;
  const call = ts.isCallExpression(callee.parent) && callee.parent.expression === callee ? callee.parent : undefined;
  const first = call && resentFrom(call);
  if (!call || !first) return undefined;
  const line = first.getSourceFile().getLineAndCharacterOfPosition(first.getStart()).line + 1;
  return { describe: `a resend, when the call of line ${line} fails`, node: call, kind: 'retry' };
}

/** The name node a function is called by: `function save`, `const save = () =>`, a method's or a getter's name, a field's (`onData = async (m) => …`). */
function nameOf(fn: Node): Node | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) || Node.isGetAccessorDeclaration(fn))
    return fn.getNameNode();
  const declaration =
    fn.getParentIfKind(SyntaxKind.VariableDeclaration) ??
    fn.getParentIfKind(SyntaxKind.PropertyDeclaration) ??
    fn.getParentIfKind(SyntaxKind.PropertyAssignment);
  return declaration?.getNameNode();
}

/** How a call site names the function it runs: `bump`, `this[BUMP]`, `this[kind]`. */
function calledAs(reference: Node): string {
  const access = reference.getParentIfKind(SyntaxKind.ElementAccessExpression);
  return access && access.getArgumentExpression() === reference ? access.getText() : reference.getText();
}

/**
 * `items.map((a) => client.execute(…))`: a function written inline as a call's
 * argument has no name to be called by; it runs when the function around it
 * does, and that function's callers are asked.
 */
function isInlineCallback(fn: Node): boolean {
  const call = fn.getParent();
  const anonymous = Node.isArrowFunction(fn) || (Node.isFunctionExpression(fn) && !fn.getName());
  return anonymous && call !== undefined && Node.isCallExpression(call) && call.getArguments().includes(fn);
}

/** A value computed at `declaration` is computed anew on each rerun (not once, outside a retry around the write). */
export function recomputedOnRerun(declaration: Node, context: RerunContext): boolean {
  return computedAnewOnRerun(graphOf(declaration).node, context);
}

/** `recomputedOnRerun` for a compiler node (a declaration the call graph found). */
export function computedAnewOnRerun(at: ts.Node, context: RerunContext): boolean {
  if (context.kind === 'delivery') return true;
  const inside = (outer: ts.Node) =>
    at.getSourceFile() === outer.getSourceFile() && at.getStart() >= outer.getStart() && at.end <= outer.end;
  return inside(context.node) || (context.calledFunction !== undefined && inside(context.calledFunction));
}

/**
 * Where the code at `node` can run twice for the same input: a Kafka
 * handler or a retry helper the call graph reached it from (replay-contexts.ts),
 * a retry loop, a consumer or stream callback — around it, or around a call
 * of the function it is in (followed up to three callers, through the
 * checker's references: also method calls on instances, which the call
 * graph does not resolve). Outside all of these, only the driver resends a
 * statement, and it resends the same bound values.
 */
export function rerunContextOf(
  node: Node,
  depth = 0,
  seen = new Set<Node>(),
  instanceOf?: ClassDeclaration,
): RerunContext | undefined {
  // Inside a base's method that runs the override only for some instances, the base's own context (the call
  // graph reached it from some handler) says nothing of which instance: its callers are read instead.
  const here = instanceOf ? handlerOfInstance(node, instanceOf) : localContext(node);
  if (here || depth >= maxCallerDepth) return here;
  // A getter runs where it is read (round 11, U11D c04: `await stats.read` of `get read() { return client.execute(…) }`).
  const fn = node
    .getAncestors()
    .find((at) => (isFunction(at) || Node.isGetAccessorDeclaration(at)) && !isInlineCallback(at));
  if (!fn || seen.has(fn)) return undefined;
  const name = nameOf(fn);
  const named = name && Node.isIdentifier(name) ? name.findReferencesAsNodes().filter((r) => r !== name) : [];
  const references = [...named, ...indirectCallSitesOf(fn)];
  if (references.length === 0) return undefined;
  seen.add(fn);
  const own = fn.getParentIfKind(SyntaxKind.ClassDeclaration);
  for (const reference of references) {
    const instance = instanceThrough(reference, own, instanceOf);
    if (instance === null) continue;
    const found = rerunContextOf(reference, depth + 1, seen, instance);
    if (found)
      return {
        describe: `${found.describe}, through ${calledAs(reference)}() at line ${reference.getStartLineNumber()}`,
        node: found.node,
        kind: found.kind,
        calledFunction: graphOf(fn).node,
      };
  }
  return undefined;
}

/**
 * The Kafka handler around `node` when it runs for an instance of
 * `instanceOf`: a handler registered in a base class's method
 * (`start() { consumer.run({ eachMessage: (p) => this.consume(p) }) }`) runs
 * the overrides of the instance that method is called on, so it counts where
 * some call of the method is on such an instance (`new VoteConsumer(…).start()`).
 */
function handlerOfInstance(node: Node, instanceOf: ClassDeclaration): RerunContext | undefined {
  const context = localContext(node);
  if (context?.kind !== 'delivery') return undefined;
  const method = tsFindAncestor(context.node, ts.isMethodDeclaration);
  if (!method || !ts.isIdentifier(method.name)) return undefined;
  const name = node
    .getProject()
    .getSourceFile(method.getSourceFile().fileName)
    ?.getDescendantAtPos(method.name.getStart());
  const own = name?.getFirstAncestorByKind(SyntaxKind.ClassDeclaration);
  if (!name || !Node.isIdentifier(name) || !own) return undefined;
  const onInstance = (reference: Node) =>
    reference !== name &&
    reference.getParentIfKind(SyntaxKind.PropertyAccessExpression)?.getNameNode() === reference &&
    instanceThrough(reference, own, instanceOf) === undefined;
  return name.findReferencesAsNodes().some(onInstance) ? context : undefined;
}

/** Does class `a` extend `b`, directly or through its bases? */
function derivesFrom(a: ClassDeclaration, b: ClassDeclaration): boolean {
  for (let at = a.getBaseClass(), hops = 0; at && hops < 8; at = at.getBaseClass(), hops++) if (at === b) return true;
  return false;
}

/**
 * A method's reference as a call on some instance: which class that instance
 * must still be shown to be (its callers are asked), undefined when nothing
 * is left to ask, or null when it cannot be one.
 * The checker's references of an override include the base's
 * `this.apply()` and calls on sibling classes: `this.apply()` in the base
 * runs `OrderCount.apply` only for an OrderCount, so the callers of the
 * base's method count only where they call it on an OrderCount (or a
 * subclass, or a receiver typed by a base, which may be one). A receiver
 * whose class is unrelated (`new OrderTotal(m).run()`) runs another override.
 */
function instanceThrough(
  reference: Node,
  method: ClassDeclaration | undefined,
  required: ClassDeclaration | undefined,
): ClassDeclaration | undefined | null {
  // Another class's declaration of the same method (the base's, a sibling override): no call, and the
  // override's own references already hold the calls that may run it.
  const declared = reference.getParent();
  if (declared && Node.isMethodDeclaration(declared) && declared.getNameNode() === reference) return null;
  const access = reference.getParentIfKind(SyntaxKind.PropertyAccessExpression);
  if (!access || access.getNameNode() !== reference) return undefined;
  const receiver = access.getExpression();
  const needed = required ?? method;
  if (Node.isThisExpression(receiver)) {
    const written = receiver.getFirstAncestorByKind(SyntaxKind.ClassDeclaration);
    // `this.apply()` written in a base of the method's class: its callers must hold an instance of that class.
    return method && written && written !== method && derivesFrom(method, written) ? method : required;
  }
  if (!needed) return undefined;
  const held = receiver
    .getType()
    .getSymbol()
    ?.getDeclarations()
    .find((d): d is ClassDeclaration => Node.isClassDeclaration(d));
  // An instance of the class (or one typed by a base, which may be one): the call runs the method; nothing left to ask.
  if (!held || held === needed || derivesFrom(held, needed) || derivesFrom(needed, held)) return undefined;
  return null;
}
