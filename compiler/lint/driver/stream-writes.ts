import ts from 'typescript';
import { isFunctionNode, resolveName, unwrap, type FunctionNode } from '../../analysis/call-graph/resolve.ts';
import { inPromiseExecutor, writesIn } from './unawaited-hand-offs.ts';
import { isLibraryFile } from '../../analysis/call-graph/package-exports.ts';

/** The Node stream classes whose `write()` queues a chunk for a method run later. */
const writableClass = /(^|\.)(Writable|Duplex|Transform|PassThrough)$/;
/** The methods a writable runs for the chunks written to it (and at `end()`): `_write` of a subclass, `write` of options. */
const chunkMethods = new Set(['write', 'writev', 'transform', 'final']);
/** Methods that hand a writable a chunk. */
const streamWriteMethods = new Set(['write', 'end']);

/** `_write`, `_writev`, `_transform`, `_final` of a class of the program that extends a stream class (up to 3 bases up). */
function subclassMethods(declaration: ts.ClassLikeDeclaration, checker: ts.TypeChecker, depth = 0): FunctionNode[] {
  const base = declaration.heritageClauses
    ?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
    ?.types[0]?.expression.getText();
  if (!base || depth > 3) return [];
  const own = declaration.members.filter(
    (m): m is ts.MethodDeclaration =>
      ts.isMethodDeclaration(m) && m.name.getText().startsWith('_') && chunkMethods.has(m.name.getText().slice(1)),
  );
  if (writableClass.test(base)) return own;
  const parent = (checker.getTypeAtLocation(declaration).getBaseTypes() ?? [])[0]?.getSymbol()?.valueDeclaration;
  return parent && ts.isClassLike(parent) && !isLibraryFile(parent.getSourceFile())
    ? [...own, ...subclassMethods(parent, checker, depth + 1)]
    : own;
}

/** `write` / `writev` / `final` given to `new Writable({ … })` (a method, or a property holding a function). */
function optionMethods(made: ts.NewExpression): FunctionNode[] {
  const options = made.arguments?.[0] && unwrap(made.arguments[0]);
  if (!writableClass.test(made.expression.getText()) || !options || !ts.isObjectLiteralExpression(options)) return [];
  return options.properties.flatMap((p): FunctionNode[] => {
    if (!p.name || !chunkMethods.has(p.name.getText())) return [];
    if (ts.isMethodDeclaration(p)) return [p];
    const value = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
    return value && isFunctionNode(value) ? [value] : [];
  });
}

/** The functions a writable runs for what is written to it: of its class (as the checker types it), or of the options it was made with. */
function chunkWriters(receiver: ts.Expression, checker: ts.TypeChecker): FunctionNode[] {
  const node = unwrap(receiver);
  const held = ts.isIdentifier(node) ? resolveName(node, checker) : undefined;
  const init = held?.kind === 'variable' && held.node.initializer ? unwrap(held.node.initializer) : undefined;
  if (init && ts.isNewExpression(init) && writableClass.test(init.expression.getText())) return optionMethods(init);
  const declaration = checker.getTypeAtLocation(node).getSymbol()?.valueDeclaration;
  return declaration && ts.isClassLike(declaration) && !isLibraryFile(declaration.getSourceFile())
    ? subclassMethods(declaration, checker)
    : [];
}

/** `await once(out, 'finish')`, `await finished(out)`, `await pipeline(…, out)` after `call` in its function: it waits for the stream. */
function waitedAfter(call: ts.CallExpression, stream: string): boolean {
  const fn = ts.findAncestor(call.parent, isFunctionNode);
  const names = (c: ts.CallExpression) => c.arguments.some((a) => unwrap(a).getText() === stream);
  const waits = (c: ts.CallExpression) => {
    const callee = c.expression.getText();
    if (/(^|\.)once$/.test(callee)) {
      const event = c.arguments[1] && unwrap(c.arguments[1]);
      return (
        c.arguments[0]?.getText() === stream && !!event && /^['"`](drain|finish|close)['"`]$/.test(event.getText())
      );
    }
    return /(^|\.)(finished|pipeline)$/.test(callee) && names(c);
  };
  const visit = (node: ts.Node): boolean =>
    (ts.isAwaitExpression(node) &&
      node.getStart() > call.end &&
      ts.isCallExpression(unwrap(node.expression)) &&
      waits(unwrap(node.expression) as ts.CallExpression)) ||
    (ts.forEachChild(node, visit) ?? false);
  return fn?.body !== undefined && visit(fn.body);
}

/**
 * `out.write(row)` on a Node writable of the program whose `_write` (or the
 * `write` of `new Writable({ write })`) sends a write: `write()` returns a
 * boolean at once and the chunk is written later, so a handler that goes on
 * has not waited for it. The method that writes, and whether the function
 * waits for the stream afterwards (`await finished(out)`, an awaited
 * `pipeline`, `await once(out, 'finish' | 'drain')`).
 */
export function streamWrite(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isWriteName: (name: string) => boolean,
): { readonly writer: FunctionNode; readonly waited: boolean } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !streamWriteMethods.has(callee.name.text)) return undefined;
  if (call.arguments.length === 0 || inPromiseExecutor(call)) return undefined;
  const writer = chunkWriters(callee.expression, checker).find((fn) => writesIn(fn, checker, isWriteName));
  return writer && { writer, waited: waitedAfter(call, unwrap(callee.expression).getText()) };
}
