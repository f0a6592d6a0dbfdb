import ts from 'typescript';
import { isFunctionNode, unwrap } from '../../analysis/call-graph/resolve.ts';
import { isCollection } from './unawaited-hand-offs.ts';

/**
 * Write promises a handler keeps in a collection that outlives it
 * (`pending.push(client.execute(…))`) and awaits only on some paths
 * (`if (pending.length >= 200) await Promise.all(pending.splice(0))`): below
 * the threshold the handler returns with the write in flight. (A name it
 * never awaits at all is a floatingWrite, found where the write is kept.)
 */
export interface KeptPromise {
  /** The write (or the queued task) whose promise is kept. */
  readonly write: ts.CallExpression;
  /** The collection's name. */
  readonly holder: string;
  /** The `if` that awaits it on some paths only. */
  readonly onlyIf: ts.IfStatement;
}

type IsWriteName = (name: string) => boolean;

/** A call of a method named like a write (`client.execute`, `repo.save`). */
function isWriteCall(node: ts.Node, isWriteName: IsWriteName): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = unwrap(node.expression);
  return ts.isPropertyAccessExpression(callee) && isWriteName(callee.name.text);
}

/** Identifiers named `name` in `scope` after `from`, outside the declaration. */
function laterUses(scope: ts.Node, name: string, from: number): ts.Identifier[] {
  const uses: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name && node.getStart() > from) uses.push(node);
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return uses;
}

/** `pending.push(client.execute(…))` into a collection that outlives `fn`, awaited in `fn` only inside an `if`. */
function awaitedOnlyIf(
  call: ts.CallExpression,
  fn: ts.FunctionLikeDeclaration,
  checker: ts.TypeChecker,
  isWriteName: IsWriteName,
): KeptPromise | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !/^(push|unshift|add)$/.test(callee.name.text)) return undefined;
  const holder = unwrap(callee.expression);
  if (!ts.isIdentifier(holder) || !isCollection(holder, checker)) return undefined;
  const declared = checker.getSymbolAtLocation(holder)?.valueDeclaration;
  if (!declared || (declared.pos >= fn.pos && declared.end <= fn.end)) return undefined;
  const write = call.arguments.map((a) => unwrap(a)).find((a) => isWriteCall(a, isWriteName));
  if (!write || !fn.body || !ts.isBlock(fn.body)) return undefined;
  const awaits = laterUses(fn.body, holder.text, call.end).filter((u) => ts.findAncestor(u, ts.isAwaitExpression));
  if (awaits.length === 0) return undefined;
  const conditional = awaits.map((u) => ts.findAncestor(u, (n) => n.parent === fn.body));
  const onlyIf = conditional.every((s) => s && ts.isIfStatement(s)) ? (conditional[0] as ts.IfStatement) : undefined;
  return onlyIf ? { write, holder: holder.text, onlyIf } : undefined;
}

/** The write promises `fn` keeps without awaiting them on every path. */
export function keptPromises(
  fn: ts.FunctionLikeDeclaration,
  checker: ts.TypeChecker,
  isWriteName: IsWriteName,
): KeptPromise[] {
  const found: KeptPromise[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== fn && isFunctionNode(node)) return;
    const kept = ts.isCallExpression(node) ? awaitedOnlyIf(node, fn, checker, isWriteName) : undefined;
    if (kept) found.push(kept);
    else ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}
