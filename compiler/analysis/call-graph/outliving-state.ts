import ts from 'typescript';
import { isFunctionNode, isModuleLevel, unwrap } from './resolve.ts';

/**
 * A function called where it is written, at the top of its module:
 * `const nextSeq = (() => { let n = 0; return () => ++n; })();`. Its locals
 * live as long as the process, like module variables.
 */
function isModuleIife(fn: ts.Node): boolean {
  let call: ts.Node = fn.parent;
  while (ts.isParenthesizedExpression(call)) call = call.parent;
  return (
    ts.isCallExpression(call) &&
    unwrap(call.expression) === fn &&
    ts.findAncestor(call.parent, isFunctionNode) === undefined
  );
}

/** A variable that outlives the calls reading it: declared at module level, or in a module-level IIFE's closure. */
export function outlivesCalls(declaration: ts.VariableDeclaration): boolean {
  if (isModuleLevel(declaration)) return true;
  const fn = ts.findAncestor(declaration, isFunctionNode);
  return fn !== undefined && isModuleIife(fn);
}

const setWrites = new Set(['add', 'delete', 'clear']);
const writesByFile = new WeakMap<ts.SourceFile, Map<ts.Symbol, ts.Node>>();

/** `seen.add(…)`, `seen.delete(…)`, `seen.clear()` inside functions of a file, by the variable's symbol (the first of each). */
function setWritesIn(file: ts.SourceFile, checker: ts.TypeChecker): Map<ts.Symbol, ts.Node> {
  let writes = writesByFile.get(file);
  if (writes) return writes;
  const found = new Map<ts.Symbol, ts.Node>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      setWrites.has(node.expression.name.text) &&
      ts.isIdentifier(node.expression.expression) &&
      ts.findAncestor(node, isFunctionNode) !== undefined
    ) {
      const symbol = checker.getSymbolAtLocation(node.expression.expression);
      if (symbol && !found.has(symbol)) found.set(symbol, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  writesByFile.set(file, (writes = found));
  return writes;
}

/**
 * `seen.has(e.eventId)` on a `new Set()` that outlives the call and that the
 * program adds to inside a function: the answer depends on which records
 * came before, so a retried or replayed record finds itself already there.
 * (Only sets: a `Map` read with `get` is most often a cache of a
 * deterministic function, whose answer does not depend on the order.)
 */
export function changingSetMembership(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
): { readonly name: string; readonly write: ts.Node } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'has') return undefined;
  const receiver = unwrap(callee.expression);
  if (!ts.isIdentifier(receiver)) return undefined;
  const symbol = checker.getSymbolAtLocation(receiver);
  const declaration = symbol?.valueDeclaration;
  if (!symbol || !declaration || !ts.isVariableDeclaration(declaration) || !outlivesCalls(declaration))
    return undefined;
  const init = declaration.initializer && unwrap(declaration.initializer);
  if (!init || !ts.isNewExpression(init) || unwrap(init.expression).getText() !== 'Set') return undefined;
  const write = setWritesIn(declaration.getSourceFile(), checker).get(symbol);
  return write && { name: receiver.text, write };
}
