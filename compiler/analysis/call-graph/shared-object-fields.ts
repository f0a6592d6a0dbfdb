import ts from 'typescript';
import { isIncrement, outlivesCalls } from './outliving-state.ts';
import { isConst, isFunctionNode, resolveName, unwrap } from './resolve.ts';

/** Where an object lives beyond one call: a module variable, or a property of `globalThis`. */
type Home = { readonly symbol: ts.Symbol } | { readonly global: string };

const sameHome = (a: Home, b: Home) =>
  'symbol' in a ? 'symbol' in b && a.symbol === b.symbol : 'global' in b && a.global === b.global;

/** How many local names are followed to the object they hold (`const state = globalThis.__ingest ??= …`). */
const maxHops = 4;

const isGlobalThis = (node: ts.Expression) => {
  const inner = unwrap(node);
  return ts.isIdentifier(inner) && (inner.text === 'globalThis' || inner.text === 'global');
};

const isProcessEnv = (node: ts.Expression) =>
  ts.isPropertyAccessExpression(node) &&
  node.name.text === 'env' &&
  ts.isIdentifier(unwrap(node.expression)) &&
  (unwrap(node.expression) as ts.Identifier).text === 'process';

/** `??=`, `||=`, `=`, `??`, `||`: the object is the one on the left, set once or already there. */
const heldOperators: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.BarBarToken,
]);

/**
 * The home of the object an expression holds, when it outlives the call: `globalThis.__ingest`, `process.env`, a module-level
 * `const state = { seq: 0 }`, or a local const holding one of these (`const state = (globalThis.__ingest ??= {
 * seq: 0 })`). Undefined for anything made anew by each call.
 */
export function objectHome(expression: ts.Expression, checker: ts.TypeChecker, hops = 0): Home | undefined {
  const node = unwrap(expression);
  if (ts.isPropertyAccessExpression(node) && isGlobalThis(node.expression)) return { global: node.name.text };
  // `process.env`: kept for the process (and handed to its children), so `process.env.SEQ = String(n)` is a counter.
  if (isProcessEnv(node)) return { global: 'process.env' };
  if (
    ts.isElementAccessExpression(node) &&
    isGlobalThis(node.expression) &&
    ts.isStringLiteral(node.argumentExpression)
  )
    return { global: node.argumentExpression.text };
  if (ts.isBinaryExpression(node) && heldOperators.has(node.operatorToken.kind))
    return objectHome(node.left, checker, hops);
  if (!ts.isIdentifier(node) || hops >= maxHops) return undefined;
  const resolved = resolveName(node, checker);
  if (resolved.kind !== 'variable') return undefined;
  const declaration = resolved.node;
  const symbol = ts.isIdentifier(declaration.name) ? checker.getSymbolAtLocation(declaration.name) : undefined;
  if (outlivesCalls(declaration)) return symbol && { symbol };
  return isConst(declaration) && declaration.initializer
    ? objectHome(declaration.initializer, checker, hops + 1)
    : undefined;
}

/** A field changed on every call: `state.seq += 1`, `state.seq++` (a lazy `??=` sets it once and is not). */
function changedField(node: ts.Node): ts.PropertyAccessExpression | undefined {
  const target = isIncrement(node)
    ? node.operand
    : ts.isBinaryExpression(node) &&
        node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
        node.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionEqualsToken &&
        node.operatorToken.kind !== ts.SyntaxKind.BarBarEqualsToken
      ? node.left
      : undefined;
  const inner = target && unwrap(target);
  return inner && ts.isPropertyAccessExpression(inner) ? inner : undefined;
}

const writesByFile = new WeakMap<ts.SourceFile, readonly { field: ts.PropertyAccessExpression; write: ts.Node }[]>();

/** The field writes made inside functions of a file, in source order. */
function fieldWritesIn(file: ts.SourceFile) {
  let writes = writesByFile.get(file);
  if (writes) return writes;
  const found: { field: ts.PropertyAccessExpression; write: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    const field = changedField(node);
    if (field && ts.findAncestor(node, isFunctionNode)) found.push({ field, write: node });
    ts.forEachChild(node, visit);
  };
  visit(file);
  writesByFile.set(file, (writes = found));
  return writes;
}

/**
 * `state.seq` (read or written) where `state` holds an object that outlives the call and some function of the
 * same file changes `seq` on it: a value kept for the process, another one on a replay. The write that changes it.
 */
export function sharedFieldWrite(node: ts.Node, checker: ts.TypeChecker): ts.Node | undefined {
  const own = changedField(node);
  const read = own ?? (ts.isPropertyAccessExpression(node) ? node : undefined);
  if (!read || (ts.isCallExpression(read.parent) && read.parent.expression === read)) return undefined;
  const home = objectHome(read.expression, checker);
  if (!home) return undefined;
  if (own && ts.findAncestor(node, isFunctionNode)) return node;
  const name = read.name.text;
  return fieldWritesIn(read.getSourceFile()).find((w) => {
    if (w.field.name.text !== name) return false;
    const written = objectHome(w.field.expression, checker);
    return written !== undefined && sameHome(written, home);
  })?.write;
}
