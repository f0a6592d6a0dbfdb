import ts from 'typescript';
import { isFunctionNode } from './call-graph/resolve.ts';

/**
 * Which way a test of a conditional write's answer goes. `INSERT … IF NOT
 * EXISTS` answers whether it wrote (`rs.wasApplied()`, its `[applied]`
 * column): code that runs only when it did runs once a row, a guard;
 * code that runs only when it did not (`if (rs.wasApplied()) return;`)
 * skips the first delivery and lets every repetition through. One reading
 * for the lint's driver rules and for the pipeline rules (a custom sink's
 * write), so the two cannot disagree.
 */

const functionOf = (node: ts.Node) => ts.findAncestor(node.parent, isFunctionNode);

const isAppliedColumn = (node: ts.Node | undefined) =>
  node !== undefined && ts.isStringLiteralLike(node) && node.text === '[applied]';

/**
 * Where `fn` reads a conditional write's answer (`x.wasApplied()`, `x['[applied]']`, `x.get('[applied]')`,
 * or the name the column is destructured into: `const [{ '[applied]': fresh }] = rs.rows`), outside nested functions.
 */
export function appliedAnswersIn(fn: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== fn && isFunctionNode(node)) return;
    if (ts.isElementAccessExpression(node) && isAppliedColumn(node.argumentExpression)) found.push(node);
    if (ts.isBindingElement(node) && isAppliedColumn(node.propertyName) && ts.isIdentifier(node.name))
      found.push(node.name);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (method === 'wasApplied' || (method === 'get' && isAppliedColumn(node.arguments[0]))) found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/**
 * The answers `fn` reads of the conditional write `guard` sends, before `before`: read once it has
 * answered, also in the same expression (`(await db.execute(claim)).wasApplied()`).
 */
export function appliedAnswersBetween(fn: ts.Node, guard: ts.Node, before: number): ts.Node[] {
  return appliedAnswersIn(fn).filter((answer) => answer.getEnd() > guard.getEnd() && answer.getStart() < before);
}

/**
 * The code at `before` runs only when `answer` (a conditional write's "applied", or a helper's answer
 * that says so) is true: `if (!answer) return;` before it, `if (answer) { … }` around it, also through a
 * const it is kept in and through `=== false` / `!== true`. An inverted test (`if (applied) return;`)
 * lets the duplicates through and skips the first delivery: no guard. So is an answer nothing tests.
 */
export function runsOnlyWhenApplied(answer: ts.Node, before: number): boolean {
  return senseAt(answer, before, true) === true;
}

function senseAt(answer: ts.Node, before: number, positive: boolean): boolean | undefined {
  const parent = answer.parent;
  if (!parent) return undefined;
  if (ts.isParenthesizedExpression(parent) || ts.isAwaitExpression(parent)) return senseAt(parent, before, positive);
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken)
    return senseAt(parent, before, !positive);
  if (ts.isBinaryExpression(parent)) return senseOfComparison(parent, answer, before, positive);
  if (ts.isVariableDeclaration(parent) && parent.initializer === answer) return senseOfConst(parent, before, positive);
  // `const [{ '[applied]': fresh }] = rs.rows`: the name holds the answer, as a const it is kept in does.
  if (ts.isBindingElement(parent) && parent.name === answer && ts.isIdentifier(answer))
    return senseOfName(answer, before, positive);
  if (ts.isIfStatement(parent) && parent.expression === answer) {
    const inThen = contains(parent.thenStatement, before);
    if (inThen || contains(parent.elseStatement, before)) return inThen === positive;
    return before > parent.getEnd() && exits(parent.thenStatement) ? !positive : undefined;
  }
  if (ts.isConditionalExpression(parent) && parent.condition === answer) {
    const inTrue = contains(parent.whenTrue, before);
    return inTrue || contains(parent.whenFalse, before) ? inTrue === positive : undefined;
  }
  return undefined;
}

/** `answer === false`, `answer !== true` flip the sense; `&&` / `||` keep it (`if (!applied || stale) return`). */
function senseOfComparison(
  parent: ts.BinaryExpression,
  answer: ts.Node,
  before: number,
  positive: boolean,
): boolean | undefined {
  const op = parent.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken)
    return senseAt(parent, before, positive);
  const other = parent.left === answer ? parent.right : parent.left;
  const literal =
    other.kind === ts.SyntaxKind.TrueKeyword ? true : other.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
  const equal = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
  const unequal = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  if (literal === undefined || !(equal || unequal)) return undefined;
  return senseAt(parent, before, positive === (literal === equal));
}

/** `const fresh = rs.wasApplied()`: the sense of the first test of `fresh`, in its function, that decides whether `before` runs. */
function senseOfConst(kept: ts.VariableDeclaration, before: number, positive: boolean): boolean | undefined {
  return ts.isIdentifier(kept.name) ? senseOfName(kept.name, before, positive) : undefined;
}

/** The sense of the first test of the name that holds the answer, in its function, that decides whether `before` runs. */
function senseOfName(name: ts.Identifier, before: number, positive: boolean): boolean | undefined {
  const scope = functionOf(name) ?? name.getSourceFile();
  let sense: boolean | undefined;
  const visit = (node: ts.Node): void => {
    if (sense !== undefined || node.getStart() >= before) return;
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && !isPropertyName(node))
      sense = senseAt(node, before, positive);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return sense;
}

const isPropertyName = (id: ts.Identifier) =>
  (ts.isPropertyAccessExpression(id.parent) && id.parent.name === id) ||
  (ts.isPropertyAssignment(id.parent) && id.parent.name === id);

const contains = (node: ts.Node | undefined, at: number) =>
  node !== undefined && node.getStart() <= at && at < node.getEnd();

/** A branch that leaves: `return`, `throw`, `continue`, `break`, alone or as its block's last statement. */
function exits(branch: ts.Statement): boolean {
  const last = ts.isBlock(branch) ? branch.statements.at(-1) : branch;
  return (
    last !== undefined &&
    (ts.isReturnStatement(last) ||
      ts.isThrowStatement(last) ||
      ts.isContinueStatement(last) ||
      ts.isBreakStatement(last))
  );
}
