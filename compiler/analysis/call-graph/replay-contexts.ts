import ts from 'typescript';
import { implementationsFor } from './implementations.ts';
import {
  calleeName,
  isConst,
  isFunctionNode,
  resolveCallee,
  resolveName,
  unwrap,
  type FunctionNode,
} from './resolve.ts';
import { invokedBy } from './invoked-by.ts';
import { describeLocation } from '../describe-location.ts';
import { ParameterArguments } from './call-sites.ts';
import { decoratorFunction, isRetryDecoratorByName, mayHaveDecorator, methodDecorators } from './decorator-retry.ts';
import { dispatchedFunctions } from './dispatch-tables.ts';
import { EmitterListeners } from './emitter-listeners.ts';
import { indirectTargets, resentByFallback } from './indirect-calls.ts';
import { isRetryPackageCall, mayCallRetryByName, mentionsRetryPackage } from './retry-packages.ts';
import { callsTo, retriedParameter, retryAround } from './retry-shape.ts';
import { compact, handedToOwnFailure, secondPassFrom } from './second-pass.ts';
import { returnedExpressions } from './returned-expressions.ts';
import { returnedFunction } from './returned-function.ts';
import { nestMessageDecorator } from './nest-handlers.ts';
import { mentionsRxjs, rxjsRetried } from './rxjs-retry.ts';
import { jobProcessor, mentionsJobQueue } from './job-queues.ts';
import { hedgedName } from './local-hedge.ts';
import { locationOfNode, maxCallDepth } from './nondet.ts';
import { isLibraryFile } from './package-exports.ts';

/** kafkajs's run options, or the NestJS microservice decorators (their Kafka transport runs them from `eachMessage`). */
export type KafkaHandlerKind = 'eachMessage' | 'eachBatch' | 'EventPattern' | 'MessagePattern';

/** A handler kind in words: "kafkajs eachMessage", "NestJS @EventPattern". */
export const handlerLabel = (kind: KafkaHandlerKind) =>
  kind === 'eachMessage' || kind === 'eachBatch' ? `kafkajs ${kind}` : `NestJS @${kind}`;

/** Why a function may run again for the same input: it is (or is called by) a Kafka handler or a retried callback. */
export type ReplayContext =
  | {
      readonly kind: 'kafka';
      readonly handler: KafkaHandlerKind;
      readonly autoCommit: boolean;
      readonly registeredAt: ts.Node;
      readonly via: readonly string[];
    }
  | { readonly kind: 'retry'; readonly helper: string; readonly calledAt: ts.Node; readonly via: readonly string[] };

/** A context of a handler kafkajs runs itself (its offsets are committed as its run options say). */
export type KafkajsContext = ReplayContext & { kind: 'kafka'; handler: 'eachMessage' | 'eachBatch' };

/** A kafkajs handler as registered: `consumer.run({ eachMessage: handle })`, with the function that runs. */
export interface RegisteredHandler {
  readonly fn: FunctionNode;
  readonly kind: 'eachMessage' | 'eachBatch';
  readonly autoCommit: boolean;
  readonly registeredAt: ts.Node;
}

/** `unwrap`, and `this.handle.bind(this)` runs `this.handle`. */
function unwrapBound(expression: ts.Expression): ts.Expression {
  const node = unwrap(expression);
  if (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'bind'
  )
    return unwrapBound(node.expression.expression);
  return node;
}

/**
 * Which functions of a program may run again for the same input, and why:
 * found from where handlers are registered (`consumer.run({ eachMessage })`,
 * also by name or through `payload => this.handle(payload)`) and where
 * callbacks are handed to retry wrappers (any function that calls its
 * parameter again when it throws), then followed down the calls they make,
 * across modules, to the bound depth. Computed once a program.
 */
export class ReplayContexts {
  readonly #reached = new Map<FunctionNode, ReplayContext>();
  readonly #handlers: RegisteredHandler[] = [];
  #handlersByFile: Map<string, RegisteredHandler[]> | undefined;
  readonly #retries = new Map<FunctionNode, number | undefined>();
  /** Some file names a retry package: only then are callees followed through imports and aliases to one. */
  readonly #anyPackage: boolean;
  /** `bus.emit('x')` → the listeners of `bus.on('x', …)`: indexed on the first emit followed. */
  readonly #listeners: EmitterListeners;
  /** What the program passes for a parameter: a table or a handler handed to a function or method. */
  readonly #passed: ParameterArguments;

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {
    const queue: [FunctionNode, ReplayContext, number][] = [];
    const files = program.getSourceFiles().filter((f) => !isLibraryFile(f));
    this.#anyPackage = mentionsRetryPackage(files);
    this.#passed = new ParameterArguments(program, checker);
    this.#listeners = new EmitterListeners(files, checker, (e) => this.#functionOf(e), this.#passed);
    const wrappers = this.#retryWrapperNames(files);
    for (const file of files) {
      const names = withRenames(file, wrappers);
      if (
        names.size === 0 &&
        !this.#anyPackage &&
        !mayCallRetryByName(file.text) &&
        !mayHaveDecorator(file.text) &&
        !mentionsRxjs(file.text) &&
        !mentionsJobQueue(file.text) &&
        !/\.fallback\s*\(/.test(file.text) &&
        !/\bPromise\.(race|any)\b/.test(file.text) &&
        !/\b(eachMessage|eachBatch)\b|\.run\(\s*(\{\s*\.\.\.\s*)?[\w$]+/.test(file.text)
      )
        continue;
      this.#findRoots(file, names, (fn, context) => queue.push([fn, context, 0]));
    }
    for (let item = queue.shift(); item; item = queue.shift()) {
      const [fn, context, depth] = item;
      if (this.#reached.has(fn)) continue;
      this.#reached.set(fn, context);
      if (depth >= maxCallDepth) continue;
      for (const [callee, name] of this.#callees(fn))
        queue.push([callee, { ...context, via: [...context.via, name] }, depth + 1]);
    }
  }

  /** Handlers as registered, with the function each runs (the delegate of `p => this.handle(p)` included). */
  get handlers(): readonly RegisteredHandler[] {
    return this.#handlers;
  }

  /** The registered handlers whose function is in `fileName`: the lint asks once a file, so they are grouped once. */
  handlersIn(fileName: string): readonly RegisteredHandler[] {
    if (!this.#handlersByFile) {
      this.#handlersByFile = new Map();
      for (const handler of this.#handlers) {
        const file = handler.fn.getSourceFile().fileName;
        this.#handlersByFile.set(file, [...(this.#handlersByFile.get(file) ?? []), handler]);
      }
    }
    return this.#handlersByFile.get(fileName) ?? [];
  }

  /** Functions of `file` reached from a Kafka handler through its calls (not the handlers themselves), with how. */
  reachedFromHandlersIn(file: ts.Node): [FunctionNode, KafkajsContext][] {
    const registered = new Set<ts.Node>(this.#handlers.map((h) => h.fn));
    return [...this.#reached].filter(
      (entry): entry is [FunctionNode, KafkajsContext] =>
        entry[1].kind === 'kafka' &&
        (entry[1].handler === 'eachMessage' || entry[1].handler === 'eachBatch') &&
        entry[1].via.length > 0 &&
        !registered.has(entry[0]) &&
        entry[0].getSourceFile() === file,
    );
  }

  /** The reason the code at `node` may run again, from the innermost enclosing function that has one. */
  contextOf(node: ts.Node): ReplayContext | undefined {
    for (let at: ts.Node | undefined = node; at; at = at.parent) {
      if (isFunctionNode(at)) {
        const context = this.#reached.get(at);
        if (context) return context;
      }
    }
    return undefined;
  }

  /** The listeners an `x.emit('event', …)` runs (the EventEmitter drops what they return), or none. */
  emittedListeners(call: ts.CallExpression): FunctionNode[] {
    return this.#listeners.listenersOf(call);
  }

  /** The parameter a function calls again on failure, if it is a retry wrapper (cached). */
  retriedParameter(fn: FunctionNode): number | undefined {
    if (!this.#retries.has(fn)) {
      this.#retries.set(fn, undefined); // a wrapper that hands its callback to itself
      this.#retries.set(
        fn,
        retriedParameter(fn, this.checker, (call, index) => this.#retriesArgument(call, index)),
      );
    }
    return this.#retries.get(fn);
  }

  /** Does `call` run its argument `index` again on failure: a retry package's helper, or a retry wrapper of the program? */
  #retriesArgument(call: ts.CallExpression, index: number): boolean {
    if (isRetryPackageCall(call, this.checker, this.#anyPackage)) return true;
    const resolved = resolveCallee(call, this.checker);
    return resolved.kind === 'function' && this.retriedParameter(resolved.node) === index;
  }

  /** Names of the functions that retry a parameter (only files with a catch can hold one): a cheap filter before resolving calls. */
  #retryWrapperNames(files: readonly ts.SourceFile[]): Set<string> {
    const names = new Set<string>();
    for (const file of files) {
      // A retry catches the failure; a wrapper that hands its callback to a retry package needs no catch.
      // A hedge (`Promise.any([task(), later.then(task)])`) runs the callback twice with no catch.
      if (!this.#anyPackage && !/\bcatch\b|\bPromise\.(any|race)\b/.test(file.text)) continue;
      const visit = (node: ts.Node): void => {
        if (isFunctionNode(node) && node.parameters.length > 0 && this.retriedParameter(node) !== undefined) {
          // `run = async (op) => { … }`: a wrapper held by a class field is called by the field's name.
          const name =
            ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)
              ? node.name
              : ts.isVariableDeclaration(node.parent) || ts.isPropertyDeclaration(node.parent)
                ? node.parent.name
                : undefined;
          if (name && ts.isIdentifier(name)) names.add(name.text);
          else if (isDefaultExport(node)) names.add('default');
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    return names;
  }

  #findRoots(
    file: ts.SourceFile,
    wrappers: ReadonlySet<string>,
    root: (fn: FunctionNode, context: ReplayContext) => void,
  ): void {
    const rxjs = mentionsRxjs(file.text);
    const jobs = mentionsJobQueue(file.text);
    const fallbacks = /\.fallback\s*\(/.test(file.text);
    const hedges = /\bPromise\.(race|any)\b/.test(file.text);
    const visit = (node: ts.Node): void => {
      if (jobs) this.#jobProcessorRoot(node, root);
      if (fallbacks && ts.isCallExpression(node)) this.#fallbackRoot(node, root);
      if (hedges && ts.isCallExpression(node)) this.#hedgeRoot(node, root);
      if (ts.isCallExpression(node)) {
        this.#kafkaRoots(node, root);
        const name = calleeName(node.expression);
        const wrapped = name !== undefined && wrappers.has(name.getText()) && this.#retryRoots(node, root);
        if (!wrapped && node.arguments.length > 0 && isRetryPackageCall(node, this.checker, this.#anyPackage))
          this.#packageRetryRoots(node, root);
        if (rxjs) this.#rxjsRetryRoots(node, root);
      }
      for (const decorator of methodDecorators(node)) {
        this.#decoratorRetryRoot(decorator, root);
        this.#nestHandlerRoot(decorator, root);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  #kafkaRoots(call: ts.CallExpression, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const found = this.#runOptions(call);
    if (!found) return;
    const options = this.#optionProperties(found);
    // The last `autoCommit` written wins, as in the object kafkajs receives.
    const autoCommitProp = [...options]
      .reverse()
      .find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'autoCommit');
    const autoCommit = !(
      autoCommitProp &&
      ts.isPropertyAssignment(autoCommitProp) &&
      autoCommitProp.initializer.kind === ts.SyntaxKind.FalseKeyword
    );
    for (const property of options) {
      const kind = property.name && ts.isIdentifier(property.name) ? property.name.text : '';
      if (kind !== 'eachMessage' && kind !== 'eachBatch') continue;
      const fn = ts.isMethodDeclaration(property)
        ? property
        : ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)
          ? this.#functionOf(ts.isPropertyAssignment(property) ? property.initializer : property.name)
          : undefined;
      const made = fn ? undefined : this.#madeHandler(property);
      const handler = fn ?? made?.fn;
      if (!handler) continue;
      this.#handlers.push({ fn: handler, kind, autoCommit, registeredAt: property });
      root(handler, { kind: 'kafka', handler: kind, autoCommit, registeredAt: property, via: [] });
      // The callbacks handed to the factory run when its handler does: `handlerFor(decode, apply)`.
      for (const callback of made?.callbacks ?? [])
        root(callback, { kind: 'kafka', handler: kind, autoCommit, registeredAt: property, via: [made!.factory] });
      const delegate = this.#delegateOf(handler);
      if (delegate) this.#handlers.push({ fn: delegate, kind, autoCommit, registeredAt: property });
    }
  }

  /**
   * `eachMessage: handlerFor(decode, apply)`: a handler made by a factory of
   * the program is the function the factory returns; the functions given to
   * the factory are run by it (conservatively, each of them).
   */
  #madeHandler(
    property: ts.ObjectLiteralElementLike,
  ): { fn: FunctionNode; callbacks: FunctionNode[]; factory: string } | undefined {
    const made = ts.isPropertyAssignment(property) ? unwrap(property.initializer) : undefined;
    if (!made || !ts.isCallExpression(made)) return undefined;
    const factory = resolveCallee(made, this.checker);
    const fn = factory.kind === 'function' ? returnedFunction(factory.node, this.checker) : undefined;
    if (!fn) return undefined;
    const callbacks = made.arguments.flatMap((a) => {
      const callback = ts.isObjectLiteralExpression(a) ? undefined : (this.#functionOf(a) ?? this.#madeBy(a));
      return callback ? [callback] : [];
    });
    return { fn, callbacks, factory: calleeName(made.expression)?.getText() ?? 'a handler factory' };
  }

  /** `traced('sales', salesProjector(client))`: an argument that is itself made by a factory of the program, the function it returns. */
  #madeBy(argument: ts.Expression): FunctionNode | undefined {
    const call = unwrap(argument);
    if (!ts.isCallExpression(call)) return undefined;
    const factory = resolveCallee(call, this.checker);
    return factory.kind === 'function' ? returnedFunction(factory.node, this.checker) : undefined;
  }

  /**
   * The kafkajs options a call registers: `consumer.run({ … })`, or `{ eachMessage }`
   * handed to a function of the program that passes that parameter on to
   * `.run()` (a NestJS-style `consume(topics, config)` wrapper).
   */
  #runOptions(call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
    const first = call.arguments[0];
    if (calleeName(call.expression)?.getText() === 'run') return first && this.#namedOptions(first);
    const index = call.arguments.findIndex((a) => ts.isObjectLiteralExpression(a) && hasHandlerProperty(a));
    if (index < 0) return undefined;
    const wrapper = this.#calledFunction(call);
    return wrapper && forwardsToRun(wrapper, index) ? (call.arguments[index] as ts.ObjectLiteralExpression) : undefined;
  }

  /**
   * `{ eachMessage, … }` written out, or a const holding it, in this module or another (`consumer.run(runConfig)`),
   * or returned by a function of the program the call runs (`consumer.run(hitCounterConfig(db))`).
   */
  #namedOptions(options: ts.Expression): ts.ObjectLiteralExpression | undefined {
    const node = unwrap(options);
    if (ts.isObjectLiteralExpression(node)) return node;
    const named = ts.isCallExpression(node) ? this.#returnedOptions(node) : this.#constObject(node);
    return named && this.#optionProperties(named).some((p) => isHandlerName(p.name)) ? named : undefined;
  }

  /** The object literal a factory of the program returns, written out or held in a const (one level: no factory of factories). */
  #returnedOptions(call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
    const factory = resolveCallee(call, this.checker);
    if (factory.kind !== 'function') return undefined;
    for (const returned of returnedExpressions(factory.node)) {
      const node = unwrap(returned);
      const object = ts.isObjectLiteralExpression(node) ? node : this.#constObject(node);
      if (object) return object;
    }
    return undefined;
  }

  /** The object literal a const of the program holds (`const runConfig = { … }`, imported or not). */
  #constObject(expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
    const node = unwrap(expression);
    if (!ts.isIdentifier(node)) return undefined;
    const resolved = resolveName(node, this.checker);
    const init = resolved.kind === 'variable' && resolved.node.initializer && unwrap(resolved.node.initializer);
    return init && ts.isObjectLiteralExpression(init) ? init : undefined;
  }

  /** The properties of run options, those of a const spread into them included (`{ ...baseConfig, autoCommit: false }`). */
  #optionProperties(options: ts.ObjectLiteralExpression, depth = 0): ts.ObjectLiteralElementLike[] {
    return options.properties.flatMap((p) => {
      if (!ts.isSpreadAssignment(p)) return [p];
      const spread = depth < 2 ? this.#constObject(p.expression) : undefined;
      return spread ? this.#optionProperties(spread, depth + 1) : [];
    });
  }

  /** The function a call runs, a method of any receiver included (`this.consumerService.consume`): asked only for calls handing over handler options, so typing the receiver stays rare. */
  #calledFunction(call: ts.CallExpression): FunctionNode | undefined {
    const resolved = resolveCallee(call, this.checker);
    if (resolved.kind === 'function') return resolved.node;
    const callee = unwrapBound(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const declaration = this.checker.getSymbolAtLocation(callee.name)?.declarations?.[0];
    return declaration && isFunctionNode(declaration) && declaration.body && !isLibraryFile(declaration.getSourceFile())
      ? declaration
      : undefined;
  }

  /** `retryingHelper(() => write(), …)`: the callback runs again whenever it throws. */
  #retryRoots(call: ts.CallExpression, root: (fn: FunctionNode, context: ReplayContext) => void): boolean {
    const resolved = resolveCallee(call, this.checker);
    if (resolved.kind !== 'function') return false;
    const index = this.retriedParameter(resolved.node);
    const argument = index === undefined ? undefined : call.arguments[index];
    const fn = argument && this.#functionOf(argument);
    if (!fn) return false;
    root(fn, {
      kind: 'retry',
      helper: calleeName(call.expression)?.getText() ?? 'a retry wrapper',
      calledAt: call,
      via: [],
    });
    return true;
  }

  /** `pRetry(() => write())`, `again(write)`, `async.retry(opts, write)`: every function handed to the helper runs again. */
  #packageRetryRoots(call: ts.CallExpression, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const helper = calleeName(call.expression)?.getText() ?? 'a retry helper';
    for (const argument of call.arguments) {
      const fn = ts.isObjectLiteralExpression(argument) ? undefined : this.#functionOf(argument);
      if (fn) root(fn, { kind: 'retry', helper, calledAt: call, via: [] });
    }
  }

  /** `@retried(3) async share() { … }`: a decorator whose wrapper calls the method again when it throws. */
  #decoratorRetryRoot(decorator: ts.Decorator, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const applied = decoratorFunction(decorator, this.checker);
    const retries = applied
      ? this.retriedParameter(applied) !== undefined
      : isRetryDecoratorByName(decorator, this.checker);
    if (!retries) return;
    const written = unwrap(decorator.expression);
    const name = calleeName(ts.isCallExpression(written) ? written.expression : written)?.getText() ?? 'decorator';
    root(decorator.parent as FunctionNode, { kind: 'retry', helper: `@${name}`, calledAt: decorator, via: [] });
  }

  /** `breaker.fallback(() => sendPoints(…))` of `new CircuitBreaker(sendPoints)`: the wrapped function sent again. */
  #fallbackRoot(call: ts.CallExpression, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const resent = resentByFallback(call, this.checker, (e) => this.#functionOf(e));
    if (resent) root(resent, { kind: 'retry', helper: call.expression.getText(), calledAt: call, via: [] });
  }

  /** `Promise.race([send(), sleep(150).then(send)])`: a local function two elements of a hedge run. */
  #hedgeRoot(call: ts.CallExpression, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const name = hedgedName(call);
    const fn = name && this.#functionOf(name);
    if (fn) root(fn, { kind: 'retry', helper: call.expression.getText(), calledAt: call, via: [] });
  }

  /** `new Worker('hits', async (job) => …)` of BullMQ, Bull's `queue.process(…)`: a job runs again after a failure or a stall. */
  #jobProcessorRoot(node: ts.Node, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const registered = jobProcessor(node, this.checker);
    const fn = registered && this.#functionOf(registered.processor);
    if (fn) root(fn, { kind: 'retry', helper: registered.label, calledAt: node, via: [] });
  }

  /** `@EventPattern('post-shared') async onShared(…)`: a NestJS microservice handler, delivered at least once. */
  #nestHandlerRoot(decorator: ts.Decorator, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const handler = nestMessageDecorator(decorator, this.checker);
    if (handler)
      root(decorator.parent as FunctionNode, {
        kind: 'kafka',
        handler,
        autoCommit: true,
        registeredAt: decorator,
        via: [],
      });
  }

  /** `defer(() => write()).pipe(retry(3))`: rxjs subscribes again after an error, and the write is sent again. */
  #rxjsRetryRoots(call: ts.CallExpression, root: (fn: FunctionNode, context: ReplayContext) => void): void {
    const retried = rxjsRetried(call, this.checker);
    if (!retried) return;
    // `Effect.retry` names its library; an rxjs operator is named with it.
    const helper = retried.operator.includes('.') ? retried.operator : `rxjs ${retried.operator}`;
    for (const fn of retried.fns) root(fn, { kind: 'retry', helper, calledAt: retried.retry, via: [] });
  }

  /** The function an expression stands for: written inline, or named (a const, a declaration, a method). */
  #functionOf(expression: ts.Expression | ts.Identifier, hops = 0): FunctionNode | undefined {
    const inner = unwrapBound(expression);
    if (isFunctionNode(inner)) return inner;
    const name = calleeName(inner);
    const resolved = name ? resolveName(name, this.checker) : undefined;
    if (resolved?.kind === 'function') return resolved.node;
    // `const record = stats.record.bind(stats)`, handed on by name: the method it binds.
    const init = resolved?.kind === 'variable' && isConst(resolved.node) ? resolved.node.initializer : undefined;
    return init && hops < 4 && unwrapBound(init) !== unwrap(init) ? this.#functionOf(init, hops + 1) : undefined;
  }

  /** `payload => this.handle(payload)`: a handler whose whole body hands over to another function, which then is the handler. */
  #delegateOf(fn: FunctionNode): FunctionNode | undefined {
    let body: ts.Node | undefined = fn.body;
    if (body && ts.isBlock(body) && body.statements.length === 1) {
      const only = body.statements[0]!;
      body = ts.isReturnStatement(only)
        ? only.expression
        : ts.isExpressionStatement(only)
          ? only.expression
          : undefined;
    }
    while (body && (ts.isAwaitExpression(body) || ts.isParenthesizedExpression(body))) body = body.expression;
    if (!body || !ts.isCallExpression(body)) return undefined;
    const resolved = resolveCallee(body, this.checker);
    return resolved.kind === 'function' && resolved.node !== fn ? resolved.node : undefined;
  }

  /** The user functions `fn` calls or hands on by name (`messages.forEach(handleOne)`), with the name used. */
  #callees(fn: FunctionNode): [FunctionNode, string][] {
    const found: [FunctionNode, string][] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const resolved = resolveCallee(node, this.checker);
        const name = calleeName(node.expression)?.getText();
        if (resolved.kind === 'function' && resolved.node !== fn) found.push([resolved.node, name ?? 'a function']);
        // `handlers[kind](…)`, `routes.find(…)?.handle(…)`: every function the table holds may be the one run.
        else if (resolved.kind !== 'function' && resolved.kind !== 'external')
          for (const entry of dispatchedFunctions(node.expression, this.checker, this.#passed))
            found.push([entry, name ?? node.expression.getText().replace(/\s+/g, ' ')]);
        // `award(…)` of `const award = addPoints.bind(undefined, client)`, opossum's `breaker.fire(…)`.
        if (resolved.kind !== 'function')
          for (const target of indirectTargets(node, this.checker, (e) => this.#functionOf(e)))
            found.push([target, name ?? 'a function']);
        // `op.call(ctx, e)`, `Reflect.apply(op, ctx, [e])`: `op`, also one picked from a table (`handlers[type]`).
        const invoked = invokedBy(node);
        if (invoked !== node.expression)
          for (const target of dispatchedFunctions(invoked, this.checker)) found.push([target, invoked.getText()]);
        // `bus.emit('download', …)` runs every listener of `bus.on('download', …)`.
        for (const listener of this.#listeners.listenersOf(node))
          found.push([listener, node.expression.getText().replace(/\s+/g, ' ')]);
        for (const argument of node.arguments) {
          if (!ts.isIdentifier(argument) && !ts.isPropertyAccessExpression(argument)) continue;
          const named = this.#functionOf(argument);
          if (named) found.push([named, argument.getText()]);
        }
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    return found;
  }
}

const isHandlerName = (name: ts.PropertyName | undefined) =>
  name !== undefined && ts.isIdentifier(name) && (name.text === 'eachMessage' || name.text === 'eachBatch');

const hasHandlerProperty = (options: ts.ObjectLiteralExpression) =>
  options.properties.some((p) => isHandlerName(p.name));

/** `fn` passes its parameter at `index` on to some `x.run(parameter)`, as kafkajs's run options. */
function forwardsToRun(fn: FunctionNode, index: number): boolean {
  const parameter = fn.parameters[index]?.name;
  if (!parameter || !ts.isIdentifier(parameter) || !fn.body) return false;
  const visit = (node: ts.Node): boolean => {
    if (ts.isCallExpression(node) && calleeName(node.expression)?.getText() === 'run') {
      const first = node.arguments[0] && unwrapBound(node.arguments[0]);
      if (first && ts.isIdentifier(first) && first.text === parameter.text) return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(fn.body);
}

/** The wrapper names as this file may call them: `import { persist as save }` adds `save`. */
function withRenames(file: ts.SourceFile, wrappers: ReadonlySet<string>): Set<string> {
  const names = new Set([...wrappers].filter((n) => file.text.includes(n)));
  for (const statement of file.statements) {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements)
      if (element.propertyName && wrappers.has(element.propertyName.text)) names.add(element.name.text);
  }
  // A wrapper exported as the unnamed default goes by whatever name a file imports it under: a candidate, resolved later.
  if (wrappers.has('default'))
    for (const statement of file.statements) {
      const local = ts.isImportDeclaration(statement) ? statement.importClause?.name : undefined;
      if (local) names.add(local.text);
    }
  return names;
}

function isDefaultExport(fn: FunctionNode): boolean {
  if (ts.isExportAssignment(fn.parent)) return true;
  const modifiers = ts.canHaveModifiers(fn) ? (ts.getModifiers(fn) ?? []) : [];
  return modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/** " (reached through `bump()` from the handler registered at x.ts:12:5)", or "" for the function registered itself. */
export function describeReach(context: ReplayContext): string {
  if (context.via.length === 0) return '';
  const from = context.kind === 'kafka' ? context.registeredAt : context.calledAt;
  return ` (reached through ${context.via.map((n) => `\`${n}()\``).join(' → ')} from ${context.kind === 'kafka' ? 'the handler registered' : `the ${context.helper}() call`} at ${describeLocation(locationOfNode(from))})`;
}

/** The same statement sent again: the same callee and the same query (`client.execute(addHit, …)` twice). */
function sameStatement(a: ts.CallExpression, b: ts.CallExpression): boolean {
  return (
    a !== b && compact(a.expression) === compact(b.expression) && compact(a.arguments[0]) === compact(b.arguments[0])
  );
}

/**
 * `send()` inside a try whose catch sends it again (or calls its own
 * function again), or `send().catch(() => send())`: a retry by recursion.
 * A catch that writes something else (a failure log) is no resend.
 */
export function resendAround(
  send: ts.CallExpression,
  checker: ts.TypeChecker,
  emitted?: (call: ts.CallExpression) => readonly FunctionNode[],
): ts.Node | undefined {
  const fn = ts.findAncestor(send.parent, isFunctionNode);
  if (!fn) return undefined;
  const recursion = callsTo(fn, checker);
  const reEmits = (again: ts.CallExpression) => emitted !== undefined && emitsTo(again, fn, emitted, 0);
  return retryAround(send, fn, (again) => recursion(again) || sameStatement(again, send) || reEmits(again), checker);
}

/** How many listeners deep an emit is followed to the listener it runs again. */
const maxEmitHops = 3;

/**
 * `jobs.emit('failed', job)` in the catch of the 'run' listener, whose
 * 'failed' listener emits 'run' again (at once or from a timer): an
 * EventEmitter retry, the listener `fn` runs again with the same job.
 */
function emitsTo(
  call: ts.CallExpression,
  fn: FunctionNode,
  emitted: (call: ts.CallExpression) => readonly FunctionNode[],
  hops: number,
): boolean {
  const listeners = emitted(call);
  if (listeners.includes(fn)) return true;
  if (hops >= maxEmitHops) return false;
  return listeners.some((listener) => {
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node) && emitsTo(node, fn, emitted, hops + 1)) found = true;
      else ts.forEachChild(node, visit);
    };
    if (listener.body) visit(listener.body);
    return found;
  });
}

/** The first call in `scope` that sends the same statement as `send`. */
function sameSendIn(scope: ts.Node, send: ts.CallExpression): ts.CallExpression | undefined {
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && sameStatement(node, send)) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/**
 * `attempts.reduce((attempt, wait) => attempt.catch(() => send()), send())`:
 * the accumulator a reduce's callback chains onto starts as the reduce's
 * initial value (the first attempt). Returns that value, for `attempt`.
 */
function reducedFrom(receiver: ts.Expression): ts.Expression | undefined {
  const name = ts.isIdentifier(receiver) ? receiver.text : undefined;
  const callback = name && ts.findAncestor(receiver.parent, isFunctionNode);
  const first = callback ? callback.parameters[0]?.name : undefined;
  const reduce = callback && ts.isCallExpression(callback.parent) ? callback.parent : undefined;
  if (!first || !ts.isIdentifier(first) || first.text !== name || !reduce || reduce.arguments[0] !== callback)
    return undefined;
  const method = ts.isPropertyAccessExpression(reduce.expression) ? reduce.expression.name.text : '';
  return /^reduce(Right)?$/.test(method) ? reduce.arguments[1] : undefined;
}

/**
 * The other side of a resend: `send` is the second attempt, in the catch of
 * a try that sent the same statement, or in the `.catch(() => send())` of
 * its promise; or the first call of a function handed to its own promise's
 * `.catch`, or a second pass over what `Promise.allSettled` rejected
 * (second-pass.ts). Returns the first attempt. If that one landed and only
 * its answer was lost, this one applies the statement a second time.
 */
export function resentFrom(send: ts.CallExpression): ts.CallExpression | undefined {
  for (let child: ts.Node = send, at = send.parent; at; child = at, at = at.parent) {
    if (ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at)) break;
    if (ts.isCatchClause(at) && ts.isTryStatement(at.parent)) {
      const first = sameSendIn(at.parent.tryBlock, send);
      if (first) return first;
    }
    const method = ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression) ? at.expression : undefined;
    const handler = method?.name.text === 'catch' ? 0 : method?.name.text === 'then' ? 1 : -1;
    if (method && handler >= 0 && (at as ts.CallExpression).arguments[handler] === child) {
      const first = sameSendIn(method.expression, send) ?? sameSendIn(reducedFrom(method.expression) ?? method, send);
      if (first) return first;
    }
  }
  return handedToOwnFailure(send) ?? secondPassFrom(send);
}

const perProgram = new WeakMap<ts.Program, ReplayContexts>();

export function replayContexts(program: ts.Program): ReplayContexts {
  let contexts = perProgram.get(program);
  if (!contexts) {
    implementationsFor(program); // methods of interfaces resolve to their one implementation (resolve.ts)
    contexts = new ReplayContexts(program, program.getTypeChecker());
    perProgram.set(program, contexts);
  }
  return contexts;
}
