import ts from 'typescript';
import { resolveCallee } from '../../analysis/call-graph/resolve.ts';

/** A try whose catch only logs: the writes in its block fail without the caller knowing. */
export interface SwallowedFailure {
  readonly tryStatement: ts.TryStatement;
  readonly catchClause: ts.CatchClause;
  /** The writes the try waits for, in source order. */
  readonly writes: readonly ts.CallExpression[];
}

/** Calls that only report a failure: `console.error`, `logger.warn`, `Sentry.captureException`, a metric. */
const reporting = /^(log|error|warn|warning|info|debug|trace|fatal|captureException|captureMessage|increment|inc)$/;

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** Calls that only format the error for the log. */
const formatting = /^(String|stringify|toString|inspect|format)$/;

/** `const text = err instanceof Error ? err.message : String(err)`: a local for the log line. */
function formatsOnly(statement: ts.VariableStatement): boolean {
  let pure = true;
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node) || (ts.isCallExpression(node) && !formatting.test(calleeName(node) ?? '')))
      pure = false;
    else ts.forEachChild(node, visit);
  };
  visit(statement);
  return pure;
}

function reportsOnly(statement: ts.Statement): boolean {
  if (ts.isEmptyStatement(statement)) return true;
  if (ts.isVariableStatement(statement)) return formatsOnly(statement);
  if ((ts.isReturnStatement(statement) && !statement.expression) || ts.isContinueStatement(statement)) return true;
  if (!ts.isExpressionStatement(statement)) return false;
  let expression = statement.expression;
  while (ts.isAwaitExpression(expression) || ts.isVoidExpression(expression)) expression = expression.expression;
  if (!ts.isCallExpression(expression)) return false;
  const callee = expression.expression;
  const onConsole =
    ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'console';
  return onConsole || reporting.test(calleeName(expression) ?? '');
}

/**
 * A catch that lets the failure go: empty, or nothing but logging (and a
 * bare `return` or `continue`). One that throws, dead-letters the message,
 * pauses or seeks, or does anything else is left alone: it may well keep
 * the message.
 */
function swallows(clause: ts.CatchClause): boolean {
  return clause.block.statements.every(reportsOnly);
}

/** `await db.insert(logs).values(row)`: a call named like a write, or one of the calls its chain starts from. */
function chainWrites(call: ts.CallExpression, isWriteName: (name: string) => boolean): boolean {
  for (let at: ts.Expression = call; ts.isCallExpression(at);) {
    if (isWriteName(calleeName(at) ?? '')) return true;
    at = ts.isPropertyAccessExpression(at.expression) ? at.expression.expression : at.expression;
  }
  return false;
}

/** `await saveOrder(m)`: a function of the program that sends a write itself (one call deep). */
function sendsWrite(call: ts.CallExpression, checker: ts.TypeChecker, isWriteName: (name: string) => boolean): boolean {
  const resolved = resolveCallee(call, checker);
  if (resolved.kind !== 'function' || !resolved.node.body) return false;
  const visit = (node: ts.Node): boolean =>
    (ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      isWriteName(node.expression.name.text)) ||
    (ts.forEachChild(node, visit) ?? false);
  return visit(resolved.node.body);
}

const isFunction = (node: ts.Node) =>
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node) ||
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node);

/**
 * The try/catch statements in `fn` (its callbacks included, not functions
 * declared in it) whose try awaits a write and whose catch only logs. In a
 * Kafka handler the handler then returns normally, kafkajs commits the
 * offset, and the message is lost (with the writes before the failed one
 * applied, the rest not).
 */
export function swallowedFailures(
  fn: ts.Node,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): SwallowedFailure[] {
  const isWrite = (call: ts.CallExpression) => chainWrites(call, isWriteName) || sendsWrite(call, checker, isWriteName);
  const found: SwallowedFailure[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return;
    if (ts.isTryStatement(node) && node.catchClause && swallows(node.catchClause)) {
      const writes: ts.CallExpression[] = [];
      const inTry = (child: ts.Node): void => {
        if (isFunction(child)) return;
        if (ts.isCallExpression(child) && ts.isAwaitExpression(child.parent) && isWrite(child)) writes.push(child);
        ts.forEachChild(child, inTry);
      };
      inTry(node.tryBlock);
      if (writes.length > 0) found.push({ tryStatement: node, catchClause: node.catchClause, writes });
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return found;
}
