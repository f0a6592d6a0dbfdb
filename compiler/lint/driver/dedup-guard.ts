import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import type { DriverCall } from './driver-calls.ts';

const isFunction = (node: Node) =>
  Node.isArrowFunction(node) ||
  Node.isFunctionExpression(node) ||
  Node.isFunctionDeclaration(node) ||
  Node.isMethodDeclaration(node);
const conditionalInsert = /^\s*INSERT\b[\s\S]*\bIF\s+NOT\s+EXISTS\s*;?\s*$/i;
/** How many callers up the counter's function is followed to find the guard that gates its call. */
const maxCallerDepth = 2;

const functionOf = (node: Node) => node.getAncestors().find(isFunction);

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

/** The answer of a conditional write: `rs.wasApplied()`, or its `[applied]` column (`rs.first()['[applied]']`, `row.get('[applied]')`). */
const appliedAnswer = /\.wasApplied\s*\(\s*\)|\[\s*['"]\[applied\]['"]\s*\]|\.get\(\s*['"]\[applied\]['"]\s*\)/;

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
  gates: (answer: Node, before: number) => boolean = runsOnlyWhenApplied,
): DriverCall | undefined {
  return calls.find((guard) => {
    if (guard.call.getStart() >= before || functionOf(guard.call) !== fn || !isOffsetGuard(guard)) return false;
    return answersIn(fn).some(
      (answer) => answer.getStart() > guard.call.getStart() && answer.getStart() < before && gates(answer, before),
    );
  });
}

/** Where `fn` reads a conditional write's answer (`x.wasApplied()`, `x['[applied]']`, `x.get('[applied]')`), outside nested functions. */
function answersIn(fn: Node): Node[] {
  const reads = fn.getDescendants().filter((node) => {
    if (Node.isElementAccessExpression(node))
      return node.getArgumentExpression()?.getText().slice(1, -1) === '[applied]';
    if (!Node.isCallExpression(node)) return false;
    const callee = node.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) return false;
    const argument = node.getArguments()[0];
    return (
      callee.getName() === 'wasApplied' ||
      (callee.getName() === 'get' && argument?.getText().slice(1, -1) === '[applied]')
    );
  });
  return reads.filter((read) => functionOf(read) === fn);
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
    if (asked.getStart() >= before || functionOf(asked) !== fn || !runsOnlyWhenApplied(asked, before)) continue;
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

/**
 * The code at `before` runs only when `answer` (a conditional write's "applied", or a helper's answer
 * that says so) is true: `if (!answer) return;` before it, `if (answer) { … }` around it, also through a
 * const it is kept in and through `=== false` / `!== true`. An inverted test (`if (applied) return;`)
 * lets the duplicates through and skips the first delivery: no guard. So is an answer nothing tests.
 */
function runsOnlyWhenApplied(answer: Node, before: number): boolean {
  return senseAt(answer, before, true) === true;
}

function senseAt(answer: Node, before: number, positive: boolean): boolean | undefined {
  const parent = answer.getParent();
  if (!parent) return undefined;
  if (Node.isParenthesizedExpression(parent) || Node.isAwaitExpression(parent))
    return senseAt(parent, before, positive);
  if (Node.isPrefixUnaryExpression(parent) && parent.getOperatorToken() === SyntaxKind.ExclamationToken)
    return senseAt(parent, before, !positive);
  if (Node.isBinaryExpression(parent)) return senseOfComparison(parent, answer, before, positive);
  if (Node.isVariableDeclaration(parent) && parent.getInitializer() === answer)
    return senseOfConst(parent, before, positive);
  if (Node.isIfStatement(parent) && parent.getExpression() === answer) {
    const inThen = contains(parent.getThenStatement(), before);
    if (inThen || contains(parent.getElseStatement(), before)) return inThen === positive;
    return before > parent.getEnd() && exits(parent.getThenStatement()) ? !positive : undefined;
  }
  if (Node.isConditionalExpression(parent) && parent.getCondition() === answer) {
    const inTrue = contains(parent.getWhenTrue(), before);
    return inTrue || contains(parent.getWhenFalse(), before) ? inTrue === positive : undefined;
  }
  return undefined;
}

/** `answer === false`, `answer !== true` flip the sense; `&&` / `||` keep it (`if (!applied || stale) return`). */
function senseOfComparison(
  parent: Node & { getOperatorToken(): Node; getLeft(): Node; getRight(): Node },
  answer: Node,
  before: number,
  positive: boolean,
) {
  const op = parent.getOperatorToken().getKind();
  if (op === SyntaxKind.AmpersandAmpersandToken || op === SyntaxKind.BarBarToken)
    return senseAt(parent, before, positive);
  const other = parent.getLeft() === answer ? parent.getRight() : parent.getLeft();
  const literal =
    other.getKind() === SyntaxKind.TrueKeyword ? true : other.getKind() === SyntaxKind.FalseKeyword ? false : undefined;
  const equal = op === SyntaxKind.EqualsEqualsEqualsToken || op === SyntaxKind.EqualsEqualsToken;
  const unequal = op === SyntaxKind.ExclamationEqualsEqualsToken || op === SyntaxKind.ExclamationEqualsToken;
  if (literal === undefined || !(equal || unequal)) return undefined;
  return senseAt(parent, before, positive === (literal === equal));
}

/** `const fresh = rs.wasApplied()`: the sense of the first test of `fresh` that decides whether `before` runs. */
function senseOfConst(kept: Node, before: number, positive: boolean): boolean | undefined {
  const name = kept.getChildAtIndex(0);
  if (!Node.isIdentifier(name)) return undefined;
  for (const use of name.findReferencesAsNodes()) {
    if (use === name || use.getSourceFile() !== kept.getSourceFile() || use.getStart() >= before) continue;
    const sense = senseAt(use, before, positive);
    if (sense !== undefined) return sense;
  }
  return undefined;
}

const contains = (node: Node | undefined, at: number) =>
  node !== undefined && node.getStart() <= at && at < node.getEnd();

/** A branch that leaves: `return`, `throw`, `continue`, `break`, alone or as its block's last statement. */
function exits(branch: Node): boolean {
  const last = Node.isBlock(branch) ? branch.getStatements().at(-1) : branch;
  return (
    last !== undefined &&
    (Node.isReturnStatement(last) ||
      Node.isThrowStatement(last) ||
      Node.isContinueStatement(last) ||
      Node.isBreakStatement(last))
  );
}
