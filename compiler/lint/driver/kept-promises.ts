import ts from 'typescript';
import { isFunctionNode, unwrap } from '../../analysis/call-graph/resolve.ts';
import { isCollection, queuedWrite } from './unawaited-hand-offs.ts';

/**
 * Write promises a handler keeps instead of awaiting: in a const it never
 * awaits (`const tasks = msgs.map((m) => limit(() => write(m)))`, only
 * `tasks.length` read), or in a collection that outlives it
 * (`pending.push(client.execute(…))`) awaited only on some paths
 * (`if (pending.length >= 200) await Promise.all(pending.splice(0))`). Either
 * way the handler can return with the write in flight.
 */
export interface KeptPromise {
  /** The write (or the queued task) whose promise is kept. */
  readonly write: ts.CallExpression;
  /** Where it is kept: the const's or the collection's name. */
  readonly holder: string;
  /** The `if` that awaits it on some paths only, when there is one. */
  readonly onlyIf?: ts.IfStatement;
}

type IsWriteName = (name: string) => boolean;

/** A call of a method named like a write (`client.execute`, `repo.save`). */
function isWriteCall(node: ts.Node, isWriteName: IsWriteName): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = unwrap(node.expression);
  return ts.isPropertyAccessExpression(callee) && isWriteName(callee.name.text);
}

/** A write, or a task handed to a queue that writes, whose promise `expression` makes (nested callbacks included). */
function writeMadeBy(
  expression: ts.Node,
  checker: ts.TypeChecker,
  isWriteName: IsWriteName,
): ts.CallExpression | undefined {
  const visit = (node: ts.Node): ts.CallExpression | undefined => {
    if (ts.isCallExpression(node) && (queuedWrite(node, checker, isWriteName, false) || isWriteCall(node, isWriteName)))
      return node;
    return ts.forEachChild(node, visit);
  };
  return visit(expression);
}

/** `tasks.length`, `${tasks.length}`: a read of the count, which waits for nothing. */
const readsCountOnly = (reference: ts.Identifier) =>
  ts.isPropertyAccessExpression(reference.parent) &&
  reference.parent.expression === reference &&
  reference.parent.name.text === 'length';

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

/** `const tasks = items.map((m) => limit(() => write(m)))` read only for its length (or not at all). */
function neverAwaited(
  declaration: ts.VariableDeclaration,
  fn: ts.Node,
  checker: ts.TypeChecker,
  isWriteName: IsWriteName,
): KeptPromise | undefined {
  const init = declaration.initializer && unwrap(declaration.initializer);
  if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(declaration.name)) return undefined;
  const method = ts.isPropertyAccessExpression(init.expression) ? init.expression.name.text : '';
  if (method !== 'map') return undefined;
  const write = writeMadeBy(init, checker, isWriteName);
  const uses = write ? laterUses(fn, declaration.name.text, declaration.name.end) : [];
  return write && uses.every(readsCountOnly) ? { write, holder: declaration.name.text } : undefined;
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

/** The write promises `fn` keeps without awaiting them on every path (its nested callbacks are searched for consts too). */
export function keptPromises(
  fn: ts.FunctionLikeDeclaration,
  checker: ts.TypeChecker,
  isWriteName: IsWriteName,
): KeptPromise[] {
  const found: KeptPromise[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== fn && isFunctionNode(node)) return;
    const kept = ts.isVariableDeclaration(node)
      ? neverAwaited(node, fn, checker, isWriteName)
      : ts.isCallExpression(node)
        ? awaitedOnlyIf(node, fn, checker, isWriteName)
        : undefined;
    if (kept) found.push(kept);
    else ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}
