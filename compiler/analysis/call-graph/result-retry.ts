import ts from 'typescript';
import { resolveCallee, type FunctionNode } from './resolve.ts';
import { unwrap } from './unwrap.ts';

/**
 * A retry by result (unseen round 11, U11D f06): a function that catches its own failure and says so by what it
 * returns (`try { await add(); return true } catch { return false }`), called in a loop that goes round until it
 * says it worked — `while (!ok) ok = await tryAdd(…)`, `while (!(await tryAdd(…)))`, `if (await tryAdd(…)) break;`.
 * The failed attempt may have landed (a timeout), and the next turn sends it again. Returns the loop.
 */
export function loopUntilSucceeds(call: ts.CallExpression, fn: FunctionNode, checker: ts.TypeChecker) {
  let child: ts.Node = call;
  for (let parent = call.parent; parent && child !== fn; child = parent, parent = parent.parent) {
    if (ts.isFunctionLike(parent)) return undefined;
    if (!isConditionalLoop(parent)) continue;
    return decidesLoop(call, parent) && reportsFailureByResult(call, checker) ? parent : undefined;
  }
  return undefined;
}

type ConditionalLoop = ts.WhileStatement | ts.DoStatement | ts.ForStatement;

const isConditionalLoop = (node: ts.Node): node is ConditionalLoop =>
  ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node);

const conditionOf = (loop: ConditionalLoop) => (ts.isForStatement(loop) ? loop.condition : loop.expression);

const within = (node: ts.Node, holder: ts.Node | undefined) =>
  holder !== undefined && node.getStart() >= holder.getStart() && node.end <= holder.end;

/** The call's result is what the loop's condition tests, or what an `if` that leaves the loop tests. */
function decidesLoop(call: ts.CallExpression, loop: ConditionalLoop): boolean {
  const condition = conditionOf(loop);
  if (within(call, condition)) return true;
  const held = assignedTo(call);
  if (held && condition && mentions(condition, held)) return true;
  const test = ts.findAncestor(call.parent, (n) => n === loop || ts.isIfStatement(n));
  return test !== undefined && ts.isIfStatement(test) && within(call, test.expression) && leaves(test.thenStatement);
}

/** `ok = await f()` or `const ok = await f()`: the name the result is kept in. */
function assignedTo(call: ts.CallExpression): string | undefined {
  let value: ts.Node = call;
  while (ts.isAwaitExpression(value.parent) || ts.isParenthesizedExpression(value.parent)) value = value.parent;
  const holder = value.parent;
  if (ts.isBinaryExpression(holder) && holder.right === value && ts.isIdentifier(holder.left)) return holder.left.text;
  if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  return undefined;
}

const mentions = (node: ts.Node, name: string): boolean =>
  (ts.isIdentifier(node) && node.text === name) ||
  (ts.forEachChild(node, (n) => mentions(n, name) || undefined) ?? false);

const leaves = (node: ts.Node): boolean =>
  ts.isBreakStatement(node) ||
  ts.isReturnStatement(node) ||
  (ts.isBlock(node) && node.statements.some((s) => ts.isBreakStatement(s) || ts.isReturnStatement(s)));

/** The function called ends its own failure in a catch that returns a falsy value and throws nothing. */
function reportsFailureByResult(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  const callee = resolveCallee(call, checker);
  if (callee.kind !== 'function' || !callee.node.body) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (ts.isFunctionLike(node) && node !== callee.node)) return;
    if (ts.isCatchClause(node) && !throws(node.block) && returnsFalsy(node.block)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(callee.node.body);
  return found;
}

function throws(block: ts.Node): boolean {
  if (ts.isThrowStatement(block)) return true;
  return !ts.isFunctionLike(block) && (ts.forEachChild(block, (n) => throws(n) || undefined) ?? false);
}

function returnsFalsy(block: ts.Node): boolean {
  if (ts.isReturnStatement(block)) {
    const value = block.expression && unwrap(block.expression);
    return (
      value === undefined ||
      value.kind === ts.SyntaxKind.FalseKeyword ||
      value.kind === ts.SyntaxKind.NullKeyword ||
      (ts.isIdentifier(value) && value.text === 'undefined') ||
      (ts.isNumericLiteral(value) && value.text === '0')
    );
  }
  return !ts.isFunctionLike(block) && (ts.forEachChild(block, (n) => returnsFalsy(n) || undefined) ?? false);
}
