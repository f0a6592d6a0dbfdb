import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import type ts from 'typescript';
import { appliedAnswersBetween, runsOnlyWhenApplied } from '../../analysis/applied-sense.ts';
import type { DriverCall } from './driver-calls.ts';
import { isFunction } from './rerun-context.ts';

const conditionalInsert = /^\s*INSERT\b[\s\S]*\bIF\s+NOT\s+EXISTS\s*;?\s*$/i;
/** How many callers up the counter's function is followed to find the guard that gates its call. */
const maxCallerDepth = 2;

const functionOf = (node: Node) => node.getAncestors().find(isFunction);
/** The node as the compiler sees it (ts-morph bundles its own TypeScript, whose syntax kinds are the compiler's: morph.ts). */
const asCompiled = (node: Node) => node.compilerNode as unknown as ts.Node;

/**
 * An `INSERT … IF NOT EXISTS` de-duplication row keyed by the message's
 * offset, whose `wasApplied()` is checked before `counter` runs: a
 * redelivered message finds its row and skips the update. What is left is
 * a crash between the two writes (row written, delta not): an undercount,
 * never an overcount. The check may sit in the counter's function, in a
 * helper it asks first (`if (!(await this.firstDelivery(p))) return`), or in
 * a caller, before the call of the counter's function (up to two callers up).
 */
export function dedupGuardBefore(counter: DriverCall, callsIn: CallsIn): DriverCall | undefined {
  return guardBefore(counter.call, callsIn, 0, new Set());
}

/** The driver calls of a file, or none when its text cannot hold a checked guard. */
export type CallsIn = (file: SourceFile) => readonly DriverCall[];

/**
 * The answer of a conditional write: `rs.wasApplied()`, or its `[applied]` column (`rs.first()['[applied]']`,
 * `row.get('[applied]')`, destructured: `const [{ '[applied]': fresh }] = rs.rows`).
 */
const appliedAnswer =
  /\.wasApplied\s*\(\s*\)|\[\s*['"]\[applied\]['"]\s*\]|\.get\(\s*['"]\[applied\]['"]\s*\)|['"]\[applied\]['"]\s*:/;

const mayGuard = (file: SourceFile) => {
  const text = file.getFullText();
  return /\bIF\s+NOT\s+EXISTS\b/i.test(text) && appliedAnswer.test(text);
};

/** A guard that gates `at` in its function, or the call of that function in a caller. */
function guardBefore(at: Node, callsIn: CallsIn, depth: number, seen: Set<Node>): DriverCall | undefined {
  const fn = functionOf(at);
  if (!fn || seen.has(fn)) return undefined;
  seen.add(fn);
  const file = fn.getSourceFile();
  const here =
    (mayGuard(file) ? checkedInsertBefore(fn, at.getStart(), callsIn(file)) : undefined) ??
    askedHelperBefore(fn, at.getStart(), callsIn);
  if (here || depth >= maxCallerDepth) return here;
  const name =
    Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)
      ? fn.getNameNode()
      : fn.getParentIfKind(SyntaxKind.VariableDeclaration)?.getNameNode();
  if (!name || !Node.isIdentifier(name)) return undefined;
  for (const reference of name.findReferencesAsNodes()) {
    if (reference === name || reference.getSourceFile() !== at.getSourceFile()) continue;
    const found = guardBefore(reference, callsIn, depth + 1, seen);
    if (found) return found;
  }
  return undefined;
}

/** The offset-keyed conditional insert of `fn`, sent before `before`, whose answer, read between it and `before`, `gates` the code at `before`. */
function checkedInsertBefore(
  fn: Node,
  before: number,
  calls: readonly DriverCall[],
  gates: (answer: ts.Node, before: number) => boolean = runsOnlyWhenApplied,
): DriverCall | undefined {
  return calls.find((guard) => {
    if (guard.call.getStart() >= before || functionOf(guard.call) !== fn || !isOffsetGuard(guard)) return false;
    return appliedAnswersBetween(asCompiled(fn), asCompiled(guard.call), before).some((answer) =>
      gates(answer, before),
    );
  });
}

function isOffsetGuard(guard: DriverCall): boolean {
  const statement = guard.statements[0];
  return (
    statement !== undefined &&
    conditionalInsert.test(statement.cql) &&
    /offset/i.test([...(statement.params?.values() ?? [])].map((p) => p.getText()).join(' '))
  );
}

/**
 * `if (!(await this.firstDelivery(payload))) return;` before `before`: a
 * helper, of this file or imported from another, that sends the guard and
 * returns its `wasApplied()`, its answer tested by an `if` (directly, or
 * through the const it is kept in).
 */
function askedHelperBefore(fn: Node, before: number, callsIn: CallsIn): DriverCall | undefined {
  for (const asked of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (asked.getStart() >= before || functionOf(asked) !== fn || !runsOnlyWhenApplied(asCompiled(asked), before))
      continue;
    const helper = calledFunction(asked);
    if (!helper || !mayGuard(helper.getSourceFile())) continue;
    // The helper hands its answer back rather than test it: the caller's test, checked above, is the gate.
    const guard = checkedInsertBefore(helper, helper.getEnd(), callsIn(helper.getSourceFile()), () => true);
    if (guard && returnsAnswer(helper)) return guard;
  }
  return undefined;
}

/** The function a call runs, through an import (`import { firstDelivery } from './dedup.ts'`) and `const f = async () => …`. */
function calledFunction(call: CallExpression): Node | undefined {
  const callee = call.getExpression();
  const named = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
  const symbol = named.getSymbol();
  const declaration = (symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol)?.getDeclarations()[0];
  const value = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : declaration;
  return value && isFunction(value) ? value : undefined;
}

/** The helper hands its conditional write's answer back: `return rs.wasApplied()` (or its `[applied]` column). */
const returnsAnswer = (helper: Node) =>
  helper
    .getDescendantsOfKind(SyntaxKind.ReturnStatement)
    .some((r) => functionOf(r) === helper && appliedAnswer.test(r.getText()));
