import ts from 'typescript';
import { isFunctionNode } from './resolve.ts';

/** The key and the value a collection write stores: `c.set(k, v)`, `c[k] = v`, `c[k] ??= v`. */
function keyAndValue(write: ts.Node): { readonly key: ts.Expression; readonly value: ts.Expression } | undefined {
  if (ts.isBinaryExpression(write) && ts.isElementAccessExpression(write.left))
    return { key: write.left.argumentExpression, value: write.right };
  if (!ts.isCallExpression(write) || !ts.isPropertyAccessExpression(write.expression)) return undefined;
  const [key, value] = write.arguments;
  return write.expression.name.text === 'set' && key && value ? { key, value } : undefined;
}

/** The parameters of every function around `node`, by name. */
function parameterNames(node: ts.Node): Set<string> {
  const names = new Set<string>();
  for (let fn = ts.findAncestor(node, isFunctionNode); fn; fn = ts.findAncestor(fn.parent, isFunctionNode))
    for (const p of fn.parameters) if (ts.isIdentifier(p.name)) names.add(p.name.text);
  return names;
}

/** What a local `let`/`const` of the function holding `write` is given: its initializer and every `name = …` there. */
function localValues(name: string, write: ts.Node): ts.Expression[] | undefined {
  const fn = ts.findAncestor(write, isFunctionNode);
  if (!fn?.body) return undefined;
  const found: ts.Expression[] = [];
  let declared = false;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) {
      declared = true;
      if (node.initializer) found.push(node.initializer);
    }
    const assigned =
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(node.left) &&
      node.left.text === name;
    if (assigned) found.push(node.right);
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return declared ? found : undefined;
}

/**
 * The parts of the functions' parameters an expression reads (`v.userId`, `ip`), following the locals it
 * reads to what they are given.
 */
function parameterReads(expression: ts.Expression, write: ts.Node, parameters: Set<string>): Set<string> {
  const reads = new Set<string>();
  const seen = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (!ts.isIdentifier(node) || (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      ts.forEachChild(node, visit);
      return;
    }
    if (parameters.has(node.text)) {
      let chain: ts.Expression = node;
      while (ts.isPropertyAccessExpression(chain.parent) && chain.parent.expression === chain) chain = chain.parent;
      reads.add(chain.getText().replace(/\s+|\?|!/g, ''));
      return;
    }
    if (seen.has(node.text)) return;
    seen.add(node.text);
    for (const value of localValues(node.text, write) ?? []) visit(value);
  };
  visit(expression);
  return reads;
}

/**
 * Whether a write into a memo stores a function of the key it is stored under: `cache.set(k, f(k))`,
 * `regions[userId] ??= REGIONS[hash(userId) % 4]`. A value taken from other parts of the record — the
 * first `v.ts` or `v.page` seen for `v.userId` — is what arrived first, not what the key determines: a
 * replay, or a restart that empties it, stores another one ("first wins" is history, not a memo).
 */
export function storesFunctionOfKey(write: ts.Node): boolean {
  const stored = keyAndValue(write);
  if (!stored) return true;
  const parameters = parameterNames(write);
  const keyReads = parameterReads(stored.key, write, parameters);
  for (const read of parameterReads(stored.value, write, parameters))
    if (![...keyReads].some((k) => read === k || read.startsWith(`${k}.`))) return false;
  return true;
}
