import ts from 'typescript';
import { throwsAgain } from './failure-handler.ts';
import { isFunctionNode, symbolOf } from './resolve.ts';

/** Calls that take entries out of a Map, Set or array. */
const removes = /^(delete|clear|splice|shift|pop|set)$/;

/** State that outlives a call: a module's variable (`pending`), or an instance field (`this.pending`). */
function outlivingState(node: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) return node.getText();
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = symbolOf(node, checker)?.valueDeclaration;
  const statement = declaration && ts.isVariableDeclaration(declaration) ? declaration.parent.parent : undefined;
  return statement && ts.isSourceFile(statement.parent) ? node.text : undefined;
}

/** Where `scope` takes entries out of (or replaces) the state named `state`, in order of place. */
function removalsIn(scope: ts.Node, state: string): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    const target =
      ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) ? node.expression : undefined;
    if (target && removes.test(target.name.text) && target.expression.getText() === state) found.push(node);
    const assigned =
      ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? node.left.getText() : '';
    if (assigned === state || assigned === `${state}.length`) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/** The outliving state read before `send` in `fn`: what the write is made of. */
function stateReadBefore(body: ts.Node, send: ts.Node, checker: ts.TypeChecker): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (node.getStart() >= send.getStart()) return;
    const state = outlivingState(node, checker);
    if (state) names.add(state);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return names;
}

/**
 * `try { await client.batch(fromPending); pending.delete(k) } catch (e) { log(e) }`:
 * the write is made from state that outlives the call, and that state is
 * emptied only after the write succeeded; the catch ends the failure. The
 * entries stay for the next run (a timer's next tick, the next flush), which
 * sends them again — also when the failed write had landed and only its
 * answer was lost. A flush that empties the state before it writes loses a
 * failed write instead (an undercount), and is not this. Returns the state and the catch.
 */
export function keptOnFailure(
  send: ts.CallExpression,
  checker: ts.TypeChecker,
): { state: string; at: ts.CatchClause } | undefined {
  const attempt = ts.findAncestor(send.parent, (n) => isFunctionNode(n) || ts.isTryStatement(n));
  if (!attempt || !ts.isTryStatement(attempt) || !attempt.catchClause || send.end > attempt.tryBlock.end)
    return undefined;
  const fn = ts.findAncestor(attempt, isFunctionNode);
  if (!fn?.body || throwsAgain(attempt.catchClause.block)) return undefined;
  for (const state of stateReadBefore(fn.body, send, checker)) {
    const removals = removalsIn(fn.body, state);
    const before = removals.some((r) => r.getStart() < send.getStart());
    const afterInTry = removals.some((r) => r.getStart() > send.end && r.end <= attempt.tryBlock.end);
    if (afterInTry && !before) return { state, at: attempt.catchClause };
  }
  return undefined;
}
