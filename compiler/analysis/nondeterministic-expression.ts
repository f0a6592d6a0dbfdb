import ts from 'typescript';
import { mayBeNondeterministic, nondeterministicValue } from './clock-and-randomness.ts';

/**
 * The first clock or random call in an expression's source text, and its
 * offset in that text: `[id, new Date()]` → `new Date()` at 5. For code read
 * by the lint, whose own parser may be another TypeScript version.
 */
export function findNondeterministic(
  expressionText: string,
): { readonly what: string; readonly offset: number } | undefined {
  // Most bound values are plain names and fields: parsing them just to find nothing cost the lint ~4 % of its time.
  if (!mayBeNondeterministic(expressionText)) return undefined;
  const prefix = 'const __e = (';
  const file = ts.createSourceFile(
    'expression.ts',
    `${prefix}${expressionText});`,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  let found: { what: string; offset: number } | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const what = nondeterministicValue(node);
    if (what) {
      found = { what, offset: node.getStart(file) - prefix.length };
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
