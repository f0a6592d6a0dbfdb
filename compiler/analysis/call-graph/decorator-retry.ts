import ts from 'typescript';
import { calleeName, resolveCallee, resolveName, unwrap, type FunctionNode } from './resolve.ts';
import { returnedFunction } from './returned-function.ts';

/**
 * The function a method decorator applies: `@retried` names it, and
 * `@retried(3)` calls a factory of the program that returns it. Undefined
 * for a library's decorator or one the checker cannot follow.
 */
export function decoratorFunction(decorator: ts.Decorator, checker: ts.TypeChecker): FunctionNode | undefined {
  const expression = unwrap(decorator.expression);
  if (ts.isCallExpression(expression)) {
    const factory = resolveCallee(expression, checker);
    return factory.kind === 'function' ? returnedFunction(factory.node, checker) : undefined;
  }
  const name = calleeName(expression);
  const resolved = name ? resolveName(name, checker) : undefined;
  return resolved?.kind === 'function' ? resolved.node : undefined;
}

/** Names retry decorators of libraries go by (`@Retryable({ maxAttempts: 3 })` of typescript-retry-decorator, `@Retry()`). */
const retryDecoratorNames = /^(retry|retryable|retried|retrying|withRetry|withRetries)$/i;

/**
 * A decorator whose body cannot be read (a library's, or an import that does
 * not resolve) but whose name says it retries: judged by the name, as retry
 * helpers of unknown packages are. One of the program is judged by its body.
 */
export function isRetryDecoratorByName(decorator: ts.Decorator, checker: ts.TypeChecker): boolean {
  const expression = unwrap(decorator.expression);
  const name = calleeName(ts.isCallExpression(expression) ? expression.expression : expression);
  if (!name || !retryDecoratorNames.test(name.getText().split('.').pop() ?? '')) return false;
  const resolved = resolveName(name, checker);
  return resolved.kind === 'external' || resolved.kind === 'unresolved';
}

/** A line that starts with a decorator (`@retried(3)`, `@Retry()`): only such files are searched for one. */
export const mayHaveDecorator = (text: string) => /^[ \t]*@[A-Za-z_$][\w$.]*[ \t]*(\(|$)/m.test(text);

/** The decorators of a method with a body: `@retried(3) async share() { … }`. */
export function methodDecorators(method: ts.Node): readonly ts.Decorator[] {
  if (!ts.isMethodDeclaration(method) || !method.body || !ts.canHaveDecorators(method)) return [];
  return ts.getDecorators(method) ?? [];
}
