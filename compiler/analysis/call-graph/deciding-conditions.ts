import ts from 'typescript';

/** Does `node` hold a `return` of the function being read (not one of a nested function)? */
function holdsReturn(node: ts.Node): boolean {
  if (ts.isReturnStatement(node)) return true;
  if (ts.isFunctionLike(node)) return false;
  return ts.forEachChild(node, holdsReturn) ?? false;
}

/**
 * The conditions that choose which `return` of a function runs:
 * `if (Math.random() < 0.1) return false; return e.ok;` answers by chance as
 * much as `return Math.random() < 0.1` does, so what the condition reads is
 * part of the result. An `if` with no `return` inside (a log guard:
 * `if (Math.random() < 0.01) console.debug(e)`) decides nothing returned, and
 * nested functions are theirs to read.
 */
export function decidingConditions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body || !ts.isBlock(fn.body)) return [];
  const found: ts.Expression[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (
      ts.isIfStatement(node) &&
      (holdsReturn(node.thenStatement) || (node.elseStatement && holdsReturn(node.elseStatement)))
    )
      found.push(node.expression);
    if (ts.isSwitchStatement(node) && node.caseBlock.clauses.some(holdsReturn)) found.push(node.expression);
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(fn.body, walk);
  return found;
}
