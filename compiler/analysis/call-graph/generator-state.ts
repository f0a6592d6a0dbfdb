import ts from 'typescript';
import { isModuleLevel, resolveCallee, resolveName, unwrap } from './resolve.ts';

/** The one expression a module variable or a class field is made from: `const ids = sequence()`, `private ids = sequence()`. */
function madeFrom(holder: ts.Expression, checker: ts.TypeChecker): ts.Expression | undefined {
  if (ts.isIdentifier(holder)) {
    const resolved = resolveName(holder, checker);
    return resolved.kind === 'variable' && isModuleLevel(resolved.node) ? resolved.node.initializer : undefined;
  }
  if (!ts.isPropertyAccessExpression(holder) || unwrap(holder.expression).kind !== ts.SyntaxKind.ThisKeyword)
    return undefined;
  const field = checker.getSymbolAtLocation(holder.name)?.valueDeclaration;
  return field && ts.isPropertyDeclaration(field) ? field.initializer : undefined;
}

/**
 * `labelNumbers.next()`, with `const labelNumbers = sequence(1000)` at module
 * level (or in a field of a long-lived object) and `sequence` a generator of
 * the program: the generator's state outlives the event, so every call, a
 * replay's included, takes the next value. A generator made inside the
 * function (over the input records) starts again with it: not this.
 * Returns what to call it in a message.
 */
export function advancedGenerator(call: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'next') return undefined;
  const holder = unwrap(callee.expression);
  const init = madeFrom(holder, checker);
  const made = init && unwrap(init);
  if (!made || !ts.isCallExpression(made)) return undefined;
  const generator = resolveCallee(made, checker);
  if (generator.kind !== 'function' || !generator.node.asteriskToken) return undefined;
  return `generator \`${holder.getText()}\` (module state: each .next() takes the next value)`;
}
