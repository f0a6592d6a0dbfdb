import ts from 'typescript';
import { symbolOf, unwrap } from './resolve.ts';

/**
 * The method JavaScript runs to turn an instance into text, where a `new C(…)`
 * of a class of the program is converted in place: in a template
 * (`${new ShardKey(id)}`), beside a string with `+`, in `String(…)` —
 * `[Symbol.toPrimitive]`, else `toString`, else `valueOf` — or in
 * `JSON.stringify(…)`: `toJSON`. Undefined when it is not converted there or
 * its class has no such method of its own.
 */
export function conversionMethod(made: ts.NewExpression, checker: ts.TypeChecker): ts.MethodDeclaration | undefined {
  let at: ts.Node = made;
  while (ts.isParenthesizedExpression(at.parent)) at = at.parent;
  const parent = at.parent;
  const callee = ts.isCallExpression(parent) ? unwrap(parent.expression).getText().replace(/\s+/g, '') : '';
  const names = ts.isCallExpression(parent)
    ? callee === 'JSON.stringify' && parent.arguments[0] === at
      ? ['toJSON']
      : callee === 'String'
        ? ['[Symbol.toPrimitive]', 'toString', 'valueOf']
        : []
    : ts.isTemplateSpan(parent) ||
        (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.PlusToken)
      ? ['[Symbol.toPrimitive]', 'toString', 'valueOf']
      : [];
  if (names.length === 0) return undefined;
  const declaration = symbolOf(unwrap(made.expression), checker)?.valueDeclaration;
  if (!declaration || !(ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration))) return undefined;
  for (const name of names) {
    const method = declaration.members.find(
      (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && m.name.getText() === name,
    );
    if (method) return method;
  }
  return undefined;
}
