import ts from 'typescript';
import { calleeName, isFunctionNode, resolveName, unwrap, type FunctionNode } from './resolve.ts';

/** rxjs operators that subscribe to their source again when it errors; Effect's `Effect.retry`, which runs the effect again. */
const retryOperators = new Set(['retry', 'retryWhen', 'retryOrElse']);
/**
 * rxjs creators whose callback runs on every subscription (a resubscription runs it again), and Effect's
 * constructors of an effect from a function (`Effect.tryPromise(() => …)`, `{ try: () => … }`): each run calls it.
 */
const perSubscription = new Set(['defer', 'tryPromise', 'promise', 'sync', 'try']);

const isRxjsModule = (specifier: string) => /^(rxjs(\/operators)?|effect(\/Effect)?)$/.test(specifier);

/** A file that may use rxjs (or Effect): only there are `.pipe(retry(…))` calls looked for. */
export const mentionsRxjs = (text: string) => /['"](rxjs(\/operators)?|effect(\/Effect)?)['"]/.test(text);

/**
 * `Effect.retry` of `import { Effect } from 'effect'` (or `import * as Effect from 'effect/Effect'`): the member
 * named, when the object is Effect's module (unseen round 10, U10D).
 */
function effectMember(callee: ts.Expression, checker: ts.TypeChecker): string | undefined {
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
  const declaration = checker.getSymbolAtLocation(callee.expression)?.declarations?.[0];
  const from = declaration && ts.findAncestor(declaration, ts.isImportDeclaration)?.moduleSpecifier;
  const named = declaration && (ts.isImportSpecifier(declaration) || ts.isNamespaceImport(declaration));
  return named && from && ts.isStringLiteral(from) && /^effect(\/Effect)?$/.test(from.text)
    ? callee.name.text
    : undefined;
}

/** The name rxjs exports a local import under (`retry` of `import { retry as again } from 'rxjs'`), or undefined. */
function rxjsExport(name: ts.Identifier, checker: ts.TypeChecker): string | undefined {
  const declaration = checker.getSymbolAtLocation(name)?.declarations?.[0];
  if (!declaration || !ts.isImportSpecifier(declaration)) return undefined;
  const from = declaration.parent.parent.parent.moduleSpecifier;
  if (!ts.isStringLiteral(from) || !isRxjsModule(from.text)) return undefined;
  return (declaration.propertyName ?? declaration.name).text;
}

function rxjsCall(node: ts.Expression, names: ReadonlySet<string>, checker: ts.TypeChecker): boolean {
  if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return false;
  const callee = unwrap(node.expression);
  const exported = ts.isIdentifier(callee) ? rxjsExport(callee, checker) : effectMember(callee, checker);
  return exported !== undefined && names.has(exported);
}

/** The functions an operator or creator call is given: inline, or named. */
function callbacksOf(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): FunctionNode[] {
  return (call.arguments ?? []).flatMap((argument) => {
    const inner = unwrap(argument);
    if (isFunctionNode(inner)) return [inner];
    // `Effect.tryPromise({ try: () => client.execute(…), catch: … })`: the function under `try` is the work.
    const work = ts.isObjectLiteralExpression(inner)
      ? inner.properties.find((p) => p.name?.getText() === 'try')
      : undefined;
    if (work && ts.isPropertyAssignment(work) && isFunctionNode(unwrap(work.initializer)))
      return [unwrap(work.initializer) as FunctionNode];
    const name = calleeName(inner);
    const resolved = name ? resolveName(name, checker) : undefined;
    return resolved?.kind === 'function' ? [resolved.node] : [];
  });
}

/** What a function returns: its arrow body, or the expressions of its own `return` statements (not nested functions'). */
function returnedValues(fn: FunctionNode): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const values: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression) values.push(node.expression);
    else if (!isFunctionNode(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return values;
}

/**
 * What runs again when `source` is subscribed to again: the callback of
 * `defer(() => write())` or `new Observable((subscriber) => …)`, and the
 * callbacks of the operators piped before (`mergeMap(() => write())`), also
 * through a const (`const write$ = defer(…)`).
 */
function resubscribed(source: ts.Expression, checker: ts.TypeChecker, depth = 0): FunctionNode[] {
  const node = unwrap(source);
  if (depth > 4) return [];
  if (ts.isIdentifier(node)) {
    const resolved = resolveName(node, checker);
    const init = resolved.kind === 'variable' ? resolved.node.initializer : undefined;
    return init ? resubscribed(init, checker, depth + 1) : [];
  }
  if (ts.isNewExpression(node) && calleeName(node.expression)?.getText() === 'Observable')
    return callbacksOf(node, checker);
  if (!ts.isCallExpression(node)) return [];
  if (rxjsCall(node, perSubscription, checker)) return callbacksOf(node, checker);
  // `watched(id).pipe(retry(3))`: the observable a function of the program makes and returns.
  const made = ts.isIdentifier(unwrap(node.expression)) ? resolveName(unwrap(node.expression), checker) : undefined;
  if (made?.kind === 'function')
    return returnedValues(made.node).flatMap((value) => resubscribed(value, checker, depth + 1));
  const callee = unwrap(node.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'pipe')
    return [
      ...node.arguments.flatMap((operator) => (ts.isCallExpression(operator) ? callbacksOf(operator, checker) : [])),
      ...resubscribed(callee.expression, checker, depth + 1),
    ];
  return [];
}

/**
 * `source$.pipe(…, retry({ count: 3 }), …)`: rxjs's retry subscribes to the
 * source again after an error, and a cold source runs its work again — a
 * write in `defer(() => client.execute(…))` is sent once more. Returns the
 * retry operator's call and the functions it runs again. (`from(promise)` is
 * not among them: a promise runs once, and resubscribing replays its result.)
 */
export function rxjsRetried(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
): { readonly retry: ts.CallExpression; readonly operator: string; readonly fns: FunctionNode[] } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'pipe') return undefined;
  const at = call.arguments.findIndex((a) => rxjsCall(unwrap(a), retryOperators, checker));
  if (at < 0) return undefined;
  const before = call.arguments
    .slice(0, at)
    .flatMap((operator) => (ts.isCallExpression(operator) ? callbacksOf(operator, checker) : []));
  const fns = [...before, ...resubscribed(callee.expression, checker)];
  const retry = unwrap(call.arguments[at]!) as ts.CallExpression;
  const retryCallee = unwrap(retry.expression);
  const operator =
    (ts.isIdentifier(retryCallee) ? rxjsExport(retryCallee, checker) : undefined) ??
    (effectMember(retryCallee, checker) ? retryCallee.getText() : 'retry');
  return fns.length > 0 ? { retry, operator, fns } : undefined;
}
