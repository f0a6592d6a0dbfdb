import ts from 'typescript';
import { dispatchedFunctions } from '../../analysis/call-graph/dispatch-tables.ts';
import { failureHandlerOf, reportingName as reporting, unbound } from '../../analysis/call-graph/failure-handler.ts';
import { isFunctionNode, resolveCallee, resolveName, unwrap } from '../../analysis/call-graph/resolve.ts';
import { isCollection } from './unawaited-hand-offs.ts';

/**
 * A try whose catch only logs, or a promise chain whose `.catch(…)` only
 * logs: the writes it waits for fail without the caller knowing.
 */
export interface SwallowedFailure {
  /** The try statement, or the whole awaited chain (`client.execute(…).catch(log)`): a commit after it counts. */
  readonly scope: ts.Node;
  /** What lets the failure go: the catch clause, or the `catch` (`then`) of the chain, or the helper's name at its call. */
  readonly handler: ts.Node;
  /** A helper that lets the failure of a write handed to it go (`quietly(client.execute(…))`): where it does. */
  readonly inHelper?: ts.Node;
  /** The writes it waits for, in source order. */
  readonly writes: readonly ts.CallExpression[];
  /** `Promise.allSettled(writes)`: the failures become results nobody throws. */
  readonly settled?: true;
  /** `retryLater.push(message)`: the catch keeps the message in memory only, for a retry a crash never runs. */
  readonly parked?: ts.CallExpression;
  /** `if (!(err instanceof errors.ResponseError)) throw err;`: the failures the catch still lets go, in words. */
  readonly partly?: string;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** Calls that only format the error for the log. */
const formatting = /^(String|stringify|toString|inspect|format)$/;

/** `const text = err instanceof Error ? err.message : String(err)`: a local for the log line. */
function formatsOnly(statement: ts.VariableStatement): boolean {
  let pure = true;
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node) || (ts.isCallExpression(node) && !formatting.test(calleeName(node) ?? '')))
      pure = false;
    else ts.forEachChild(node, visit);
  };
  visit(statement);
  return pure;
}

/** `console.error`, `logger.warn`: a reference to a function that only reports. */
function isReporter(callee: ts.Expression): boolean {
  const onConsole =
    ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'console';
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  return onConsole || reporting.test(name);
}

/** An expression that only reports (a logger call), or hands back a plain value: the failure ends there. */
function expressionReportsOnly(node: ts.Expression): boolean {
  let expression = node;
  while (
    ts.isAwaitExpression(expression) ||
    ts.isVoidExpression(expression) ||
    ts.isParenthesizedExpression(expression)
  )
    expression = expression.expression;
  if (ts.isLiteralExpression(expression) || ts.isIdentifier(expression)) return true;
  if (
    expression.kind === ts.SyntaxKind.FalseKeyword ||
    expression.kind === ts.SyntaxKind.TrueKeyword ||
    expression.kind === ts.SyntaxKind.NullKeyword
  )
    return true;
  return ts.isCallExpression(expression) && isReporter(expression.expression);
}

function reportsOnly(statement: ts.Statement): boolean {
  if (ts.isEmptyStatement(statement)) return true;
  if (ts.isVariableStatement(statement)) return formatsOnly(statement);
  if (ts.isContinueStatement(statement)) return true;
  // `return;`, `return undefined`, `return false`: the function resolves with a plain value instead of failing.
  if (ts.isReturnStatement(statement)) return !statement.expression || expressionReportsOnly(statement.expression);
  if (!ts.isExpressionStatement(statement)) return false;
  const expression = statement.expression;
  return !ts.isIdentifier(expression) && !ts.isLiteralExpression(expression) && expressionReportsOnly(expression);
}

/** A function body that only reports: every statement, or an arrow's one expression. */
function bodyReportsOnly(fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.body) return false;
  return ts.isBlock(fn.body) ? fn.body.statements.every(reportsOnly) : expressionReportsOnly(fn.body);
}

/**
 * A promise failure handler that lets the failure go: `logger.error`,
 * `console.warn.bind(console)`, `(err) => log.error(…)`, `() => {}`,
 * `() => false`, or a function of the program that only logs.
 */
function handlerSwallows(handler: ts.Expression, checker: ts.TypeChecker): boolean {
  const target = unbound(handler);
  if (ts.isArrowFunction(target) || ts.isFunctionExpression(target)) return bodyReportsOnly(target);
  const name = ts.isIdentifier(target) ? target : ts.isPropertyAccessExpression(target) ? target.name : undefined;
  const resolved = name ? resolveName(name, checker) : undefined;
  if (resolved?.kind === 'function') return bodyReportsOnly(resolved.node);
  return isReporter(target);
}

/**
 * A catch that lets the failure go: empty, or nothing but logging (and a
 * bare `return` or `continue`). One that throws, dead-letters the message,
 * pauses or seeks, or does anything else is left alone: it may well keep
 * the message.
 */
function swallows(clause: ts.CatchClause): boolean {
  return clause.block.statements.every(reportsOnly);
}

/** A class of the Cassandra driver's errors (`errors.ResponseError`, `OperationTimedOutError`): a write's own failures. */
function isDriverErrorClass(name: ts.Expression, checker: ts.TypeChecker): boolean {
  const node = ts.isPropertyAccessExpression(name) ? name.name : name;
  const declaration = checker.getSymbolAtLocation(node)?.declarations?.[0];
  return declaration !== undefined && /[\\/]cassandra-driver[\\/]/.test(declaration.getSourceFile().fileName);
}

/** `throw err;` alone, or as a block's one statement. */
const onlyThrows = (statement: ts.Statement) =>
  ts.isThrowStatement(statement) ||
  (ts.isBlock(statement) && statement.statements.length === 1 && ts.isThrowStatement(statement.statements[0]!));

/**
 * `if (!(err instanceof errors.ResponseError)) throw err;` rethrows every
 * failure but the driver's server errors, which include write timeouts (a
 * write that may or may not have landed); `if (err instanceof Fatal) throw
 * err;` rethrows one class and lets every other go. Returns what is let go,
 * or undefined: a test of anything else (`err.code === 11000`, a duplicate
 * key, a class of the program's) may well let go only what is harmless.
 */
function letGoBy(statement: ts.Statement, checker: ts.TypeChecker): string | undefined {
  if (!ts.isIfStatement(statement) || statement.elseStatement || !onlyThrows(statement.thenStatement)) return undefined;
  let test = unwrap(statement.expression);
  const negated = ts.isPrefixUnaryExpression(test) && test.operator === ts.SyntaxKind.ExclamationToken;
  if (ts.isPrefixUnaryExpression(test) && negated) test = unwrap(test.operand);
  if (!ts.isBinaryExpression(test) || test.operatorToken.kind !== ts.SyntaxKind.InstanceOfKeyword) return undefined;
  const kind = test.right.getText();
  if (!negated) return `every failure but ${kind}`;
  return isDriverErrorClass(test.right, checker)
    ? `the failures that are ${kind} (write timeouts among them)`
    : undefined;
}

/** A catch that rethrows some failures and only logs the rest: what it lets go, in words. */
function partlySwallows(clause: ts.CatchClause, checker: ts.TypeChecker): string | undefined {
  const lets = clause.block.statements.map((s) => letGoBy(s, checker));
  const rest = clause.block.statements.filter((_, i) => lets[i] === undefined);
  const first = lets.find((l) => l !== undefined);
  return first && rest.every(reportsOnly) ? first : undefined;
}

/** Methods that keep a value in one of JavaScript's own collections. */
const keeping = new Set(['push', 'unshift', 'add', 'set']);

/**
 * A collection that outlives the handler: a field (`this.retryLater`) or a
 * variable declared outside `fn` (module state). A list local to the handler
 * is the handler's own business (it may retry or throw from it before returning).
 */
function outlives(receiver: ts.Expression, fn: ts.Node, checker: ts.TypeChecker): boolean {
  let root = unwrap(receiver);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  if (root.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(root)) return false;
  const declaration = checker.getSymbolAtLocation(root)?.valueDeclaration;
  return declaration !== undefined && (declaration.pos < fn.pos || declaration.end > fn.end);
}

/** `retryLater.push(message)`, `pending.set(key, message)`: a statement that keeps something in an array, Set or Map that outlives `fn`. */
function keepsInMemory(statement: ts.Statement, fn: ts.Node, checker: ts.TypeChecker): ts.CallExpression | undefined {
  const call = ts.isExpressionStatement(statement) ? unwrap(statement.expression) : undefined;
  if (!call || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const { name, expression: receiver } = call.expression;
  return keeping.has(name.text) && isCollection(receiver, checker) && outlives(receiver, fn, checker)
    ? call
    : undefined;
}

/**
 * A catch that only logs and keeps the failed message in memory for a later
 * retry (`this.retryLater.push(message)`): the handler returns normally, so
 * the offset is committed, and the list dies with the process. The call that
 * keeps it, or undefined.
 */
function parkedIn(clause: ts.CatchClause, fn: ts.Node, checker: ts.TypeChecker): ts.CallExpression | undefined {
  let parked: ts.CallExpression | undefined;
  for (const statement of clause.block.statements) {
    if (reportsOnly(statement)) continue;
    const kept = keepsInMemory(statement, fn, checker);
    if (!kept) return undefined;
    parked ??= kept;
  }
  // `if (failed.length > 0) throw …` after it: the handler still fails, and kafkajs delivers again.
  return parked && !throwsAfter(fn, clause.end) ? parked : undefined;
}

/** `await db.insert(logs).values(row)`: a call named like a write, or one of the calls its chain starts from. */
function chainWrites(call: ts.CallExpression, isWriteName: (name: string) => boolean): boolean {
  for (let at: ts.Expression = call; ts.isCallExpression(at);) {
    if (isWriteName(calleeName(at) ?? '')) return true;
    at = ts.isPropertyAccessExpression(at.expression) ? at.expression.expression : at.expression;
  }
  return false;
}

/** `await saveOrder(m)`: a function of the program that sends a write itself (one call deep). */
function sendsWrite(call: ts.CallExpression, checker: ts.TypeChecker, isWriteName: (name: string) => boolean): boolean {
  const resolved = resolveCallee(call, checker);
  // `await Subscriber[key](value)`: any function the table may hand over.
  const targets =
    resolved.kind === 'function'
      ? [resolved.node]
      : ts.isElementAccessExpression(call.expression)
        ? dispatchedFunctions(call.expression, checker)
        : [];
  const visit = (node: ts.Node): boolean =>
    (ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      isWriteName(node.expression.name.text)) ||
    (ts.forEachChild(node, visit) ?? false);
  return targets.some((fn) => fn.body !== undefined && visit(fn.body));
}

/** `client.execute(…).then(…).catch(log)`: the call the chain starts from. */
function chainStart(call: ts.CallExpression): ts.Expression {
  let at: ts.Expression = call;
  while (
    ts.isCallExpression(at) &&
    ts.isPropertyAccessExpression(at.expression) &&
    /^(then|catch|finally)$/.test(at.expression.name.text)
  )
    at = at.expression.expression;
  return at;
}

/** The chain `call` belongs to is awaited or returned whole: the handler waits for what its catch decides. */
function awaitedChain(call: ts.CallExpression): boolean {
  let outer: ts.Node = call;
  while (ts.isPropertyAccessExpression(outer.parent) && ts.isCallExpression(outer.parent.parent))
    outer = outer.parent.parent;
  while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
  const parent = outer.parent;
  return (
    ts.isAwaitExpression(parent) ||
    ts.isReturnStatement(parent) ||
    (ts.isArrowFunction(parent) && parent.body === outer)
  );
}

/**
 * The try/catch statements in `fn` (its callbacks included, not functions
 * declared in it) whose try awaits a write and whose catch only logs, and
 * the awaited writes whose promise's `.catch(…)` only logs. In a Kafka
 * handler the handler then returns normally, kafkajs commits the offset,
 * and the message is lost (with the writes before the failed one applied,
 * the rest not).
 */
export function swallowedFailures(
  fn: ts.Node,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): SwallowedFailure[] {
  const isWrite = (call: ts.CallExpression) => chainWrites(call, isWriteName) || sendsWrite(call, checker, isWriteName);
  const found: SwallowedFailure[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return;
    const clause = ts.isTryStatement(node) ? node.catchClause : undefined;
    const parked = clause && !swallows(clause) ? parkedIn(clause, fn, checker) : undefined;
    const partly = clause && !parked && !swallows(clause) ? partlySwallows(clause, checker) : undefined;
    if (ts.isTryStatement(node) && clause && (parked || partly || swallows(clause))) {
      const writes = awaitedWritesIn(node.tryBlock, isWrite);
      if (writes.length > 0)
        found.push({ scope: node, handler: clause, writes, ...(parked && { parked }), ...(partly && { partly }) });
    }
    const swallowed = ts.isCallExpression(node)
      ? (swallowedChain(node, checker, isWrite) ??
        settledWrites(node, fn, isWrite) ??
        swallowedByHelper(node, checker, isWrite))
      : undefined;
    if (swallowed) found.push(swallowed);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return found;
}

/**
 * `await Promise.allSettled(messages.map((m) => client.execute(…)))`: a failed write becomes a
 * `{ status: 'rejected' }` result, and the handler returns normally — unless it throws after
 * looking at the results (any `throw` after the call in the handler counts as that).
 */
function settledWrites(
  call: ts.CallExpression,
  fn: ts.Node,
  isWrite: (call: ts.CallExpression) => boolean,
): SwallowedFailure | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.getText() !== 'Promise.allSettled' || !awaitedChain(call))
    return undefined;
  const writes: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isWrite(node)) writes.push(node);
    else ts.forEachChild(node, visit);
  };
  call.arguments.forEach(visit);
  if (writes.length === 0 || throwsAfter(fn, call.end)) return undefined;
  return { scope: call, handler: callee.name, writes, settled: true };
}

/** A `throw` (or a `Promise.reject`) in `fn` after `position`: the settled results may be turned back into a failure. */
function throwsAfter(fn: ts.Node, position: number): boolean {
  const visit = (node: ts.Node): boolean =>
    (node.pos >= position &&
      (ts.isThrowStatement(node) || (ts.isCallExpression(node) && node.expression.getText() === 'Promise.reject'))) ||
    (ts.forEachChild(node, visit) ?? false);
  return visit(fn);
}

/** The writes a try block awaits, outside the callbacks it declares, and those an awaited `Promise.all(…)` gathers. */
function awaitedWritesIn(block: ts.Block, isWrite: (call: ts.CallExpression) => boolean): ts.CallExpression[] {
  const writes: ts.CallExpression[] = [];
  const inTry = (child: ts.Node): void => {
    if (isFunctionNode(child)) return;
    if (ts.isCallExpression(child) && ts.isAwaitExpression(child.parent)) {
      if (isWrite(child)) writes.push(child);
      else writes.push(...gatheredWrites(child, isWrite));
    }
    ts.forEachChild(child, inTry);
  };
  inTry(block);
  return writes;
}

/** Combinators whose promise rejects when one of the promises it gathers does (not `allSettled`: it never rejects). */
const rejectsWithAny = /^Promise\.(all|any|race)$/;

/**
 * `Promise.all(rows.map((r) => client.execute(…)))` or `Promise.all([write(a),
 * write(b)])`: the writes whose failure the combinator's promise carries — an
 * array's calls, or what a mapped callback returns or awaits.
 */
function gatheredWrites(call: ts.CallExpression, isWrite: (call: ts.CallExpression) => boolean): ts.CallExpression[] {
  const list = call.arguments[0] && unwrap(call.arguments[0]);
  if (!list || !rejectsWithAny.test(call.expression.getText())) return [];
  if (ts.isArrayLiteralExpression(list))
    return list.elements.flatMap((e) => {
      const element = unwrap(e);
      return ts.isCallExpression(element) && isWrite(element) ? [element] : [];
    });
  const mapped =
    ts.isCallExpression(list) && /^(map|flatMap)$/.test(calleeName(list) ?? '') ? list.arguments[0] : undefined;
  const callback = mapped && unwrap(mapped);
  return callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))
    ? callbackWrites(callback, isWrite)
    : [];
}

/** The writes a callback's promise settles with: its expression body, what it returns, what it awaits. */
function callbackWrites(fn: ts.ArrowFunction | ts.FunctionExpression, isWrite: (call: ts.CallExpression) => boolean) {
  const writes: ts.CallExpression[] = [];
  const settles = (call: ts.CallExpression) =>
    call.parent === fn || ts.isReturnStatement(call.parent) || ts.isAwaitExpression(call.parent);
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isCallExpression(node) && settles(node) && isWrite(node)) writes.push(node);
    ts.forEachChild(node, visit);
  };
  if (ts.isBlock(fn.body)) visit(fn.body);
  else {
    const body = unwrap(fn.body);
    if (ts.isCallExpression(body) && isWrite(body)) writes.push(body);
  }
  return writes;
}

/** `await client.execute(…).catch((err) => logger.error(err))`: a write whose failure its own chain lets go. */
function swallowedChain(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWrite: (call: ts.CallExpression) => boolean,
): SwallowedFailure | undefined {
  const handler = failureHandlerOf(call);
  if (!handler || !awaitedChain(call) || !handlerSwallows(handler, checker)) return undefined;
  // `.then(ok, log).catch(log)`: the failure of the write ends in the first handler; one finding, there.
  if (swallowedEarlier(call, checker)) return undefined;
  const start = chainStart(call);
  if (!ts.isCallExpression(start) || !isWrite(start)) return undefined;
  return { scope: call, handler: (call.expression as ts.PropertyAccessExpression).name, writes: [start] };
}

/** Does a link of the chain before `call` (nearer the write) already let the failure go? */
function swallowedEarlier(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  for (let at = (call.expression as ts.PropertyAccessExpression).expression; ;) {
    if (!ts.isCallExpression(at) || !ts.isPropertyAccessExpression(at.expression)) return false;
    if (!/^(then|catch|finally)$/.test(at.expression.name.text)) return false;
    const earlier = failureHandlerOf(at);
    if (earlier && handlerSwallows(earlier, checker)) return true;
    at = at.expression.expression;
  }
}

/**
 * `await quietly(client.execute(…))` where the program's `quietly(write)`
 * returns `write.catch(() => undefined)` (or awaits it in a try whose catch
 * only logs, or settles the promises it is handed with `Promise.allSettled`
 * and throws nothing after): the helper lets the failure of the writes handed to it go.
 */
function swallowedByHelper(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWrite: (call: ts.CallExpression) => boolean,
): SwallowedFailure | undefined {
  if (call.arguments.length === 0 || !awaitedChain(call)) return undefined;
  const resolved = resolveCallee(call, checker);
  if (resolved.kind !== 'function' || !resolved.node.body) return undefined;
  const fn = resolved.node;
  for (const [index, argument] of call.arguments.entries()) {
    const writes = writesIn(argument, isWrite);
    if (writes.length === 0) continue;
    const parameter = fn.parameters[index]?.name;
    const letGo = parameter && ts.isIdentifier(parameter) ? parameterLetGo(fn, parameter.text, checker) : undefined;
    if (letGo) return { scope: call, handler: call.expression, inHelper: letGo, writes };
  }
  return undefined;
}

/** The write an argument is, or the writes it gathers (`rows.map((r) => client.execute(…))`, an array of them). */
function writesIn(argument: ts.Expression, isWrite: (call: ts.CallExpression) => boolean): ts.CallExpression[] {
  const writes: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isWrite(node)) writes.push(node);
    else ts.forEachChild(node, visit);
  };
  visit(argument);
  return writes;
}

/** Where a function lets the failure of its parameter's promise go: a `.catch(…)` on it that only logs, or a catch around `await` of it. */
function parameterLetGo(fn: ts.FunctionLikeDeclaration, name: string, checker: ts.TypeChecker): ts.Node | undefined {
  const isParameter = (node: ts.Node) =>
    ts.isIdentifier(unwrap(node as ts.Expression)) && unwrap(node as ts.Expression).getText() === name;
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn.body && isFunctionNode(node))) return;
    if (ts.isCallExpression(node) && awaitedChain(node) && isParameter(chainStart(node))) {
      const handler = failureHandlerOf(node);
      if (handler && handlerSwallows(handler, checker)) found = (node.expression as ts.PropertyAccessExpression).name;
    }
    if (
      ts.isTryStatement(node) &&
      node.catchClause &&
      swallows(node.catchClause) &&
      awaitsName(node.tryBlock, isParameter)
    )
      found = node.catchClause;
    // `Promise.allSettled(work)` of the promises handed over, and no throw after it (round 11, U11D d09).
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.getText() === 'Promise.allSettled' &&
      node.arguments.some(isParameter) &&
      !throwsAfter(fn.body!, node.end)
    )
      found = node.expression.name;
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

function awaitsName(block: ts.Block, isParameter: (node: ts.Node) => boolean): boolean {
  const visit = (node: ts.Node): boolean =>
    !isFunctionNode(node) &&
    ((ts.isAwaitExpression(node) && isParameter(node.expression)) || (ts.forEachChild(node, visit) ?? false));
  return visit(block);
}
