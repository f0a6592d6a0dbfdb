import { Node } from 'ts-morph';
import type { DriverCall } from './driver-calls.ts';

const isFunction = (node: Node) =>
  Node.isArrowFunction(node) ||
  Node.isFunctionExpression(node) ||
  Node.isFunctionDeclaration(node) ||
  Node.isMethodDeclaration(node);
const conditionalInsert = /^\s*INSERT\b[\s\S]*\bIF\s+NOT\s+EXISTS\s*;?\s*$/i;

/**
 * An `INSERT … IF NOT EXISTS` de-duplication row keyed by the message's
 * offset, whose `wasApplied()` is checked before `counter` runs, in the same
 * function: a redelivered message finds its row and skips the update. What
 * is left is a crash between the two writes (row written, delta not): an
 * undercount, never an overcount.
 */
export function dedupGuardBefore(counter: DriverCall, calls: readonly DriverCall[]): DriverCall | undefined {
  const fn = counter.call.getAncestors().find(isFunction);
  if (!fn) return undefined;
  const counterAt = counter.call.getStart();
  return calls.find((guard) => {
    if (guard === counter || guard.call.getStart() >= counterAt || guard.call.getAncestors().find(isFunction) !== fn)
      return false;
    const statement = guard.statements[0];
    if (
      !statement ||
      !conditionalInsert.test(statement.cql) ||
      !/offset/i.test([...(statement.params?.values() ?? [])].map((p) => p.getText()).join(' '))
    )
      return false;
    const between = fn.getSourceFile().getFullText().slice(guard.call.getStart(), counterAt);
    return /\.wasApplied\s*\(\s*\)/.test(between);
  });
}
