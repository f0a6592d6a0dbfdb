import ts from 'typescript';

/**
 * Parses a user function's source text (from Function.prototype.toString)
 * into a TypeScript AST. Arrow functions and function expressions parse as
 * they are; method shorthand (`add(acc, e) { … }`) only inside an object
 * literal, so that is tried second. Returns undefined for native code.
 */
export function parseFunction(source: string): ts.FunctionLikeDeclaration | undefined {
  if (source.includes('[native code]')) return undefined;
  if (parsed.has(source)) return parsed.get(source);
  if (parsed.size >= maxCached) parsed.clear();
  const fn = parseUncached(source);
  parsed.set(source, fn);
  return fn;
}

/** Several rules read the same functions (key uses, ids, closures): parse each text once. */
const parsed = new Map<string, ts.FunctionLikeDeclaration | undefined>();
const maxCached = 2_000;

function parseUncached(source: string): ts.FunctionLikeDeclaration | undefined {
  return (
    firstFunction(`const __f = (${source});`, (init) => init) ??
    firstFunction(`const __o = { ${source} };`, (init) =>
      ts.isObjectLiteralExpression(init) ? init.properties[0] : undefined,
    )
  );
}

function firstFunction(
  text: string,
  pick: (init: ts.Expression) => ts.Node | undefined,
): ts.FunctionLikeDeclaration | undefined {
  const file = ts.createSourceFile('user-function.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const statement = file.statements[0];
  if (!statement || !ts.isVariableStatement(statement)) return undefined;
  let init = statement.declarationList.declarations[0]?.initializer;
  while (init && ts.isParenthesizedExpression(init)) init = init.expression;
  const node = init ? pick(init) : undefined;
  if (node && (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node))) return node;
  return undefined;
}
