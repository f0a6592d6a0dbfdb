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

/** The ts-morph node of a raw node: the deepest node at its start, then up to it. */
export function wrap<T extends ts.Node>(file: SourceFile, raw: T): CompilerNodeToWrappedType<T> {
  let node: Node | undefined = file.getDescendantAtPos(raw.getStart(file.compilerNode));
  while (node && node.compilerNode !== raw) node = node.getParent();
  if (!node) throw new Error(`internal: no ts-morph node for ${ts.SyntaxKind[raw.kind]} at ${raw.pos}`);
  return node as CompilerNodeToWrappedType<T>;
}

/** Calls of a method by name: `x.sink(…)`, `client.execute(…)`. */
export function methodCalls(file: SourceFile, names: ReadonlySet<string>) {
  return findNodes(
    file,
    (n): n is ts.CallExpression =>
      ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && names.has(n.expression.name.text),
  );
}
