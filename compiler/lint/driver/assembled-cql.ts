import { Node, SyntaxKind } from 'ts-morph';
import { unknownPartFor } from '../../analysis/cql.ts';
import type { StaticEvaluator } from '../static-eval.ts';

/** How deep parts of parts are read (`${sets}` of a `.join` of a template of …). */
const maxDepth = 4;

/** The text of one part of an assembled query: itself when known, else an unknown part that keeps how it is written. */
export type TextOf = (node: Node, evaluator: StaticEvaluator, depth: number) => string | undefined;

/**
 * Queries assembled at run time from pieces the lint can read (unseen round 8, U8D):
 * `'UPDATE ' + table + ' SET ' + col + ' = ' + col + ' + ?'` (concatenation, also by `String.prototype.concat`),
 * `format('UPDATE %s SET %s = %s + ?', t, c, c)` of node:util, and a SET list
 * `cols.map((c) => \`${c} = ${c} + ?\`).join(', ')` (one item stands for every item:
 * each is made by the same callback). Unknown pieces keep their text, so
 * `col = col + ?` still reads as a delta of one column. Undefined when the
 * expression is none of these, or holds no literal text at all.
 */
export function assembledText(
  node: Node,
  evaluator: StaticEvaluator,
  textOf: TextOf,
  depth: number,
): string | undefined {
  if (depth > maxDepth) return undefined;
  const pieces = isConcatenation(node) ? concatenated(node) : concatCall(node);
  if (pieces) {
    if (!pieces.some((p) => textOf(p, evaluator, depth + 1) !== undefined)) return undefined;
    return pieces.map((p) => partText(p, evaluator, textOf, depth + 1)).join('');
  }
  if (!Node.isCallExpression(node)) return undefined;
  const formatted = utilFormatText(node, evaluator, textOf, depth);
  if (formatted !== undefined) return formatted;
  return joinedMapText(node, evaluator, textOf, depth);
}

const isConcatenation = (node: Node) =>
  Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken;

/** `'UPDATE '.concat(table, ' SET ', col, …)`: the receiver, then each argument (unseen round 10, U10D). */
function concatCall(node: Node): Node[] | undefined {
  if (!Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'concat') return undefined;
  return [callee.getExpression(), ...node.getArguments()];
}

/** The pieces of `a + b + c` in order (one chain, however long). */
function concatenated(node: Node): Node[] {
  if (!Node.isBinaryExpression(node) || !isConcatenation(node)) return [node];
  return [...concatenated(node.getLeft()), ...concatenated(node.getRight())];
}

/** A piece's text, or an unknown part named as written (`${col}`). */
export function partText(node: Node, evaluator: StaticEvaluator, textOf: TextOf, depth: number): string {
  const value = evaluator.evaluate(node);
  if (value.type === 'literal' && (typeof value.value === 'string' || typeof value.value === 'number'))
    return String(value.value);
  return (depth <= maxDepth ? textOf(node, evaluator, depth + 1) : undefined) ?? unknownPartFor(node.getText());
}

/** `format(FMT, a, b)` / `util.format(…)` of node:util: each `%s` (`%d`, `%i`) takes the next argument. */
function utilFormatText(
  call: Node & { getArguments(): Node[]; getExpression(): Node },
  evaluator: StaticEvaluator,
  textOf: TextOf,
  depth: number,
): string | undefined {
  if (!isUtilFormat(call.getExpression())) return undefined;
  const [template, ...args] = call.getArguments();
  const text = template && textOf(template, evaluator, depth + 1);
  if (text === undefined) return undefined;
  let next = 0;
  return text.replace(/%[sdi]/g, (spec) => {
    const arg = args[next++];
    return arg ? partText(arg, evaluator, textOf, depth + 1) : spec;
  });
}

const utilModules = new Set(['util', 'node:util']);

/** `format` imported from node:util, or `util.format` of `import util from 'node:util'` / `import * as util`. */
function isUtilFormat(callee: Node): boolean {
  const imported = (name: Node) => {
    const declaration = name.getSymbol()?.getDeclarations()[0];
    const from = declaration?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
    return from !== undefined && utilModules.has(from.getModuleSpecifierValue());
  };
  if (Node.isIdentifier(callee)) return imported(callee);
  return Node.isPropertyAccessExpression(callee) && callee.getName() === 'format' && imported(callee.getExpression());
}

/** `items.map((c) => \`${c} = ${c} + ?\`).join(', ')`: the text of the item the callback makes. */
function joinedMapText(call: Node, evaluator: StaticEvaluator, textOf: TextOf, depth: number): string | undefined {
  if (!Node.isCallExpression(call)) return undefined;
  const join = call.getExpression();
  if (!Node.isPropertyAccessExpression(join) || join.getName() !== 'join') return undefined;
  const mapped = join.getExpression();
  if (!Node.isCallExpression(mapped)) return undefined;
  const map = mapped.getExpression();
  if (!Node.isPropertyAccessExpression(map) || map.getName() !== 'map') return undefined;
  const callback = mapped.getArguments()[0];
  if (!callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return undefined;
  const body = callback.getBody();
  const item = Node.isBlock(body) ? body.getFirstDescendantByKind(SyntaxKind.ReturnStatement)?.getExpression() : body;
  return item && textOf(item, evaluator, depth + 1);
}
