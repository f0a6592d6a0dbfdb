import ts from 'typescript';
import { failureHandlerOf, unbound } from './failure-handler.ts';
import { unwrap } from './unwrap.ts';

/** Source text without its layout: `client\n    .execute` is `client.execute`. */
export const compact = (node: ts.Node | undefined) => node?.getText().replace(/\s+/g, '');

/**
 * `applyAll().catch(applyAll)`: the function that sent is handed, by name, to
 * the failure handler of its own promise (also past other links of the chain,
 * `send().then(log).catch(send)`). A failure runs all of it again, the writes
 * that landed included. Returns the first call.
 */
export function handedToOwnFailure(call: ts.CallExpression): ts.CallExpression | undefined {
  const own = compact(call.expression);
  let child: ts.Node = call;
  for (let hop = 0; hop < 6; hop++) {
    const link = child.parent;
    const chained = link && ts.isPropertyAccessExpression(link) && link.expression === child ? link.parent : undefined;
    if (!chained || !ts.isCallExpression(chained) || chained.expression !== link) return undefined;
    const handler = failureHandlerOf(chained);
    if (handler && compact(unbound(handler)) === own) return call;
    child = chained;
  }
  return undefined;
}

/** Two calls of one function, or of one driver method with the same statement (not `execute(ADD, …)` and `execute(SUB, …)`). */
function sameWork(a: ts.CallExpression, b: ts.CallExpression): boolean {
  if (a === b || compact(a.expression) !== compact(b.expression)) return false;
  const [first, other] = [a.arguments[0], b.arguments[0]];
  const names = (n: ts.Node | undefined) => n !== undefined && (ts.isIdentifier(n) || ts.isStringLiteralLike(n));
  return !(names(first) && names(other) && compact(first) !== compact(other));
}

/** The first call in `scope` that does the same work as `call`. */
function sameWorkIn(scope: ts.Node, call: ts.CallExpression): ts.CallExpression | undefined {
  const visit = (node: ts.Node): ts.CallExpression | undefined =>
    ts.isCallExpression(node) && sameWork(node, call) ? node : ts.forEachChild(node, visit);
  return visit(scope);
}

/** `const first = await Promise.allSettled(…)`: the name the settled results go to. */
function settledResultsName(statement: ts.Statement): string | undefined {
  if (!ts.isVariableStatement(statement)) return undefined;
  const [declaration] = statement.declarationList.declarations;
  let init = declaration?.initializer && unwrap(declaration.initializer);
  if (init && ts.isAwaitExpression(init)) init = unwrap(init.expression);
  const settles =
    init && ts.isCallExpression(init) && /(^|\.)Promise\.allSettled$/.test(compact(init.expression) ?? '');
  return settles && ts.isIdentifier(declaration!.name) ? declaration!.name.text : undefined;
}

/** Does `node`'s text name one of `names` (the settled results, or a value made from them)? */
const mentions = (node: ts.Node, names: ReadonlySet<string>) =>
  [...names].some((name) => new RegExp(`\\b${name}\\b`).test(node.getText()));

/** Among the statements before `at` in its block: an `allSettled` of the same work whose results `at` reads. */
function settledBefore(at: ts.Statement, call: ts.CallExpression): ts.CallExpression | undefined {
  const block = at.parent as ts.Block | ts.SourceFile;
  const before = block.statements.slice(0, block.statements.indexOf(at));
  for (const [i, statement] of before.entries()) {
    const results = settledResultsName(statement);
    const first = results ? sameWorkIn(statement, call) : undefined;
    if (!results || !first) continue;
    // `const rejected = items.filter((_, i) => first[i].status === 'rejected')`: made from the results.
    const derived = new Set([results]);
    for (const later of before.slice(i + 1))
      if (ts.isVariableStatement(later) && mentions(later, derived))
        for (const d of later.declarationList.declarations) if (ts.isIdentifier(d.name)) derived.add(d.name.text);
    if (mentions(at, derived)) return first;
  }
  return undefined;
}

/** How many statements up (each in a block of its own) a call is followed to find the first pass. */
const maxBlocks = 4;

/**
 * A second pass over what failed: `const first = await
 * Promise.allSettled(items.map(send))`, then `send` again for the items whose
 * result was rejected (any later statement of the block that reads the
 * results, or a value made from them). A rejected write may have landed, its
 * answer lost; the second pass applies it again. Returns the first pass's call.
 */
export function secondPassFrom(call: ts.CallExpression): ts.CallExpression | undefined {
  if (!call.getSourceFile().text.includes('allSettled')) return undefined;
  let blocks = 0;
  for (let at: ts.Node = call; at.parent && blocks < maxBlocks; at = at.parent) {
    if (!ts.isBlock(at.parent) && !ts.isSourceFile(at.parent)) continue;
    blocks++;
    const first = settledBefore(at as ts.Statement, call);
    if (first) return first;
  }
  return undefined;
}
