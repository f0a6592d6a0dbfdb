import { ts, type CompilerNodeToWrappedType, type Node, type SourceFile } from 'ts-morph';

/**
 * Searches a file's raw TypeScript tree and wraps only the matches in
 * ts-morph nodes. Wrapping every node of every file (what
 * getDescendantsOfKind does) dominated the lint's time and garbage.
 */
export function findNodes<T extends ts.Node>(
  file: SourceFile,
  match: (node: ts.Node) => node is T,
): CompilerNodeToWrappedType<T>[] {
  const found: T[] = [];
  const visit = (node: ts.Node): void => {
    if (match(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file.compilerNode);
  return found.map((node) => wrap(file, node));
}

/** ts-morph's own factory for the wrapper of a compiler node (on every node; not in its published types). */
interface WrapperFactory {
  _getNodeFromCompilerNode(raw: ts.Node): Node;
}

/**
 * The ts-morph node of a raw node. ts-morph's factory wraps the node and its
 * ancestors only; the public way (the deepest node at its start, then up)
 * also wraps every token and syntax list on that path, which cost the lint
 * about a tenth of its time. Should a ts-morph release drop the factory, the
 * public way still gives the same node.
 */
export function wrap<T extends ts.Node>(file: SourceFile, raw: T): CompilerNodeToWrappedType<T> {
  const factory = file as unknown as Partial<WrapperFactory>;
  // The factory takes the file it is called on for the node's; the old way fails, as it should, for a node of another file.
  let node: Node | undefined =
    typeof factory._getNodeFromCompilerNode === 'function' && raw.getSourceFile() === file.compilerNode
      ? factory._getNodeFromCompilerNode(raw)
      : file.getDescendantAtPos(raw.getStart(file.compilerNode));
  while (node && node.compilerNode !== raw) node = node.getParent();
  if (!node) throw new Error(`internal: no ts-morph node for ${ts.SyntaxKind[raw.kind]} at ${raw.pos}`);
  return node as CompilerNodeToWrappedType<T>;
}

/** The ts-morph node of a raw node of any file in the program `anchor` belongs to (a helper's, a declaration's). */
export function wrapInProject<T extends ts.Node>(anchor: Node, raw: T): CompilerNodeToWrappedType<T> {
  const own = anchor.getSourceFile();
  const rawFile = raw.getSourceFile();
  if (rawFile === own.compilerNode) return wrap(own, raw);
  const factory = anchor as unknown as Partial<WrapperFactory>;
  const file =
    typeof factory._getNodeFromCompilerNode === 'function'
      ? (factory._getNodeFromCompilerNode(rawFile) as SourceFile)
      : anchor.getProject().getSourceFile(rawFile.fileName);
  if (!file) throw new Error(`internal: no ts-morph file for ${rawFile.fileName}`);
  return wrap(file, raw);
}

/** Each file's calls in source order: the pipelines, driver calls and rules all look for calls, and walk the tree once. */
const callsOf = new WeakMap<ts.SourceFile, readonly ts.CallExpression[]>();

/** The calls of a file whose raw node matches, in source order (the order findNodes finds them in). */
export function callsWhere(file: SourceFile, match: (call: ts.CallExpression) => boolean) {
  let calls = callsOf.get(file.compilerNode);
  if (!calls) {
    const found: ts.CallExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) found.push(node);
      ts.forEachChild(node, visit);
    };
    visit(file.compilerNode);
    callsOf.set(file.compilerNode, (calls = found));
  }
  return calls.filter(match).map((call) => wrap(file, call));
}

/** Calls of a method by name: `x.sink(…)`, `client.execute(…)`. */
export function methodCalls(file: SourceFile, names: ReadonlySet<string>) {
  return callsWhere(file, (n) => ts.isPropertyAccessExpression(n.expression) && names.has(n.expression.name.text));
}
