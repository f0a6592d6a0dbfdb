import ts from 'typescript';
import { invokedBy } from './invoked-by.ts';
import { loopUntilSucceeds } from './result-retry.ts';
import { endsFailure, failureHandlerOf } from './failure-handler.ts';
import { isFunctionNode, symbolOf, type FunctionNode } from './resolve.ts';
import { unwrap } from './unwrap.ts';

const isLoop = (node: ts.Node) =>
  ts.isForStatement(node) ||
  ts.isForOfStatement(node) ||
  ts.isForInStatement(node) ||
  ts.isWhileStatement(node) ||
  ts.isDoStatement(node);

/** `for (let i = 0; i < rows.length; i++) { … op(rows[i]) … }`: the counter picks an item, so each turn sends another. */
function indexesItems(call: ts.Node, loop: ts.ForStatement): boolean {
  const init = loop.initializer;
  if (!init || !ts.isVariableDeclarationList(init)) return false;
  const text = call.getText();
  return init.declarations.some(
    (d) => ts.isIdentifier(d.name) && new RegExp(`\\[\\s*${d.name.text}\\s*\\]`).test(text),
  );
}

/**
 * `for (const item of items) { try { await op(item) } … }` moves on to the next item: a loop over
 * inputs, not a retry. So does a call that uses what the body made of the item
 * (`const { country } = JSON.parse(line)`): any name declared inside the loop; and
 * a counting loop whose counter indexes the items.
 */
function usesLoopVariable(call: ts.Node, loop: ts.Node): boolean {
  if (ts.isForStatement(loop)) return indexesItems(call, loop);
  if (!(ts.isForOfStatement(loop) || ts.isForInStatement(loop)) || !ts.isVariableDeclarationList(loop.initializer))
    return false;
  const names: string[] = [];
  const collect = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
  };
  for (const declaration of loop.initializer.declarations) collect(declaration.name);
  const declaredInBody = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isVariableDeclaration(node)) collect(node.name);
    ts.forEachChild(node, declaredInBody);
  };
  declaredInBody(loop.statement);
  const text = call.getText();
  return names.some((n) => new RegExp(`\\b${n}\\b`).test(text));
}

/** A `return` or `break` of `loop` in `block` outside nested functions and loops: the loop stops there. */
function leavesLoop(block: ts.Node): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node) || isLoop(node) || ts.isSwitchStatement(node)) return false;
    if (ts.isReturnStatement(node) || (ts.isBreakStatement(node) && !node.label)) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(block);
}

/**
 * A loop that stops at the first success (`try { await op(x, attempt); return } catch {}`) tries the
 * same work again, whatever its turns pass (an attempt number, a delay): a loop over inputs goes on
 * to the next one.
 */
const stopsAtFirstSuccess = (attempt: ts.TryStatement) => leavesLoop(attempt.tryBlock);

/** Does `scope` (a catch block or a `.catch` callback) call one of `targets` again? */
function callsAgain(scope: ts.Node, matches: (call: ts.CallExpression) => boolean): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && matches(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/**
 * The shape of a retry around `call`, inside `fn`: the call sits in the
 * `try` of a try/catch that is inside a loop, or whose `catch` calls it (or
 * `fn`) again; or its promise's `.catch(…)` does. A failure ended by the
 * promise's own handler (`.then(() => true, () => false)`, `.catch(log)`)
 * inside a loop is caught like a try/catch: the loop sends again. Returns the
 * node that repeats it (the loop, the catch clause, the `.catch` call).
 */
export function retryAround(
  call: ts.Node,
  fn: FunctionNode,
  matches: (again: ts.CallExpression) => boolean,
  checker?: ts.TypeChecker,
): ts.Node | undefined {
  let caught = false;
  let attempt: ts.TryStatement | undefined;
  for (
    let child: ts.Node = call, parent = call.parent;
    parent && child !== fn;
    child = parent, parent = parent.parent
  ) {
    if (ts.isTryStatement(parent) && child === parent.tryBlock && parent.catchClause) {
      caught = true;
      attempt ??= parent;
      if (callsAgain(parent.catchClause.block, matches)) return parent.catchClause;
    }
    if (caught && isLoop(parent)) {
      if (!usesLoopVariable(call, parent) || (attempt && stopsAtFirstSuccess(attempt))) return parent;
      // Caught once per item of a loop over inputs: an outer loop (polling for more) sends other items, not this one again.
      caught = false;
      attempt = undefined;
    }
    // `send().catch(() => send())`, also after awaits and parentheses: `await send().catch(…)`.
    const chained = ts.isPropertyAccessExpression(parent) && parent.expression === child ? parent.parent : undefined;
    const handler = chained && ts.isCallExpression(chained) ? failureHandlerOf(chained) : undefined;
    if (handler && callsAgain(handler, matches)) return chained;
    if (handler && endsFailure(handler, checker)) caught = true;
  }
  return undefined;
}

/** Calls of `fn` itself: recursion. */
export function callsTo(fn: FunctionNode, checker: ts.TypeChecker): (call: ts.CallExpression) => boolean {
  const name =
    ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)
      ? fn.name
      : ts.isVariableDeclaration(fn.parent)
        ? fn.parent.name
        : undefined;
  const own = name ? checker.getSymbolAtLocation(name) : undefined;
  return (call) => {
    if (!own) return false;
    const callee = call.expression;
    const target = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    return target !== undefined && symbolOf(target, checker) === own;
  };
}

/**
 * The consts of a function that hold another name (`const original =
 * descriptor.value`, the method a legacy decorator wraps; `const op = fn`, a
 * rename), as alias → held: one walk a function, shared by its parameters.
 */
function constAliases(body: ts.Node, checker: ts.TypeChecker): Map<ts.Symbol, ts.Symbol> {
  const aliases = new Map<ts.Symbol, ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      node.parent.flags & ts.NodeFlags.Const
    ) {
      let init = unwrap(node.initializer);
      if (ts.isPropertyAccessExpression(init) && init.name.text === 'value') init = init.expression;
      const held = ts.isIdentifier(init) ? checker.getSymbolAtLocation(init) : undefined;
      const alias = checker.getSymbolAtLocation(node.name);
      if (held && alias) aliases.set(alias, held);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return aliases;
}

/** Does `node` name the parameter, directly or through a const that holds it? */
function namesParameter(
  node: ts.Node,
  param: ts.Symbol | undefined,
  aliases: ReadonlyMap<ts.Symbol, ts.Symbol>,
  checker: ts.TypeChecker,
): boolean {
  if (!param || !ts.isIdentifier(node)) return false;
  let symbol = checker.getSymbolAtLocation(node);
  for (let hop = 0; symbol && hop < 4; hop++, symbol = aliases.get(symbol)) if (symbol === param) return true;
  return false;
}

/** An arrow or function expression whose body calls what `matches` (`() => op()`, `function () { return op.apply(this) }`). */
function callsInline(argument: ts.Node, matches: (call: ts.CallExpression) => boolean): boolean {
  const fn = unwrap(argument as ts.Expression);
  return (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && callsAgain(fn.body, matches);
}

/** Does `call` run its argument `index` again on failure (a retry package's helper, another retry wrapper)? */
export type RetriesArgument = (call: ts.CallExpression, index: number) => boolean;

/**
 * Which parameter a function calls again when that call fails: the mark of a
 * retry wrapper, whatever its name (`withBackoff(op)`, `persist(fn, 5)`).
 * A function that hands the parameter on to a retry (`(op) => pRetry(op,
 * { retries: 3 })`) retries it too.
 */
export function retriedParameter(
  fn: FunctionNode,
  checker: ts.TypeChecker,
  retriesArgument: RetriesArgument = () => false,
): number | undefined {
  const body = fn.body;
  if (!body) return undefined;
  const recursion = callsTo(fn, checker);
  let aliases: Map<ts.Symbol, ts.Symbol> | undefined;
  for (const [index, param] of fn.parameters.entries()) {
    if (!ts.isIdentifier(param.name)) continue;
    const symbol = checker.getSymbolAtLocation(param.name);
    aliases ??= constAliases(body, checker);
    const held = aliases;
    const isParam = (node: ts.Node) => namesParameter(node, symbol, held, checker);
    const isParamCall = (call: ts.CallExpression) => isParam(invokedBy(call));
    // `retryAsync(() => original.apply(this, args))`: a function written to run the parameter, handed on.
    const runsParam = (argument: ts.Node) => isParam(argument) || callsInline(argument, isParamCall);
    let retried = runsTwiceAtOnce(body, isParam, isParamCall);
    const visit = (node: ts.Node): void => {
      if (retried) return;
      if (
        ts.isCallExpression(node) &&
        ((isParamCall(node) && retryAround(node, fn, (again) => isParamCall(again) || recursion(again), checker)) ||
          node.arguments.some((argument, at) => runsParam(argument) && retriesArgument(node, at)))
      )
        retried = true;
      else ts.forEachChild(node, visit);
    };
    visit(body);
    if (retried) return index;
  }
  return undefined;
}

/** Calls that run a function handed to them: a promise's handlers, a timer. */
const runsHanded = /^(then|catch|finally|setTimeout|setImmediate|queueMicrotask|nextTick)$/;

/** Operators of which only one side may run: `a() || b()`, `c ? a() : b()`. */
const choosesOne = (node: ts.Node) =>
  ts.isConditionalExpression(node) ||
  (ts.isBinaryExpression(node) &&
    [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.QuestionQuestionToken].includes(
      node.operatorToken.kind,
    ));

/** The innermost node holding both `a` and `b`. */
function commonAncestor(a: ts.Node, b: ts.Node): ts.Node | undefined {
  const holders = new Set<ts.Node>();
  for (let at: ts.Node | undefined = a; at; at = at.parent) holders.add(at);
  for (let at: ts.Node | undefined = b; at; at = at.parent) if (holders.has(at)) return at;
  return undefined;
}

/**
 * A hedged request: `Promise.any([task(), sleep(50).then(task)])` runs the
 * callback twice on purpose, in one expression (no branch picks one of the
 * two, as `cached ? task() : fallback()` would). A write sent so may land
 * twice, as a retry's may.
 */
function runsTwiceAtOnce(
  body: ts.Node,
  isParam: (node: ts.Node) => boolean,
  isParamCall: (call: ts.CallExpression) => boolean,
): boolean {
  const runs: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText();
      if (isParamCall(node) || (runsHanded.test(name) && node.arguments.some(isParam))) runs.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  for (const [i, a] of runs.entries())
    for (const b of runs.slice(i + 1)) {
      const both = commonAncestor(a, b);
      if (both && both !== a && both !== b && ts.isExpression(both) && !choosesOne(both)) return true;
    }
  return false;
}

/**
 * The loop of a hand-written retry around `node`: a try/catch (or a promise
 * whose failure handler ends the failure) inside a loop of its own function
 * (not a loop over inputs). The checker, when given, reads a handler passed by name.
 */
export function retryLoopAround(node: ts.Node, checker?: ts.TypeChecker): ts.Node | undefined {
  const fn = ts.findAncestor(node.parent, isFunctionNode);
  if (!fn) return undefined;
  // A function's name where it is called (`bump` of `bump(page)`): the loop is judged by the whole call and its arguments.
  let call = node;
  if (ts.isPropertyAccessExpression(call.parent) && call.parent.name === call) call = call.parent;
  if (ts.isCallExpression(call.parent) && call.parent.expression === call) call = call.parent;
  const found = retryAround(call, fn, () => false, checker);
  if (found && isLoop(found)) return found;
  return checker && ts.isCallExpression(call) ? loopUntilSucceeds(call, fn, checker) : undefined;
}
