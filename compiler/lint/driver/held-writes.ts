import { Node, SyntaxKind, type CallExpression, type Identifier } from 'ts-morph';

/**
 * Writes a handler starts and keeps in a variable that it never waits for:
 * `const p = write(m).finally(() => inflight.delete(p)); inflight.add(p);` —
 * the handler returns, kafkajs commits, and the write is still in flight (a
 * set drained at shutdown does not help a crash). A name that is awaited,
 * returned, or handed to an expression that is (`await Promise.all([p, q])`)
 * is waited for; one whose own chain is a statement (`p.catch(log)`) is that
 * statement's finding, not this one. Returns the write each such name holds.
 */
export function heldWrites(handler: Node, isWrite: (call: CallExpression) => boolean): CallExpression[] {
  const found: CallExpression[] = [];
  for (const declaration of handler.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    if (enclosingFunction(declaration) !== handler) continue;
    const name = declaration.getNameNode();
    const write = startedWrite(declaration.getInitializer(), isWrite);
    if (!write || !Node.isIdentifier(name)) continue;
    const uses = name.findReferencesAsNodes().filter((r) => r !== name && r.getSourceFile() === name.getSourceFile());
    if (!uses.some((use) => waitedAt(use, handler) || chainedStatement(use))) found.push(write);
  }
  return found;
}

const enclosingFunction = (node: Node) =>
  node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a));

/** The write an initializer starts, also under `.then` / `.catch` / `.finally` chained to it (not awaited there). */
function startedWrite(init: Node | undefined, isWrite: (call: CallExpression) => boolean): CallExpression | undefined {
  const chain: CallExpression[] = [];
  for (let at = init; at && Node.isCallExpression(at);) {
    chain.unshift(at);
    const callee = at.getExpression();
    const chained = Node.isPropertyAccessExpression(callee) && ['then', 'catch', 'finally'].includes(callee.getName());
    at = chained ? callee.getExpression() : undefined;
  }
  // The call that starts the chain is the write; what is chained to it only follows its promise.
  return chain.find(isWrite);
}

/** The use sits in an await, a return or a yield of the handler itself (not of a callback inside it). */
function waitedAt(use: Node, handler: Node): boolean {
  for (let at = use.getParent(); at && at !== handler; at = at.getParent()) {
    if (Node.isAwaitExpression(at) || Node.isReturnStatement(at) || Node.isYieldExpression(at)) return true;
    if (Node.isFunctionLikeDeclaration(at) || Node.isArrowFunction(at)) return false;
    // `async ({ message }) => p`: the handler's expression body is what it returns.
    if (at.getParent() === handler && Node.isArrowFunction(handler) && handler.getBody() === at && !Node.isBlock(at))
      return true;
  }
  return false;
}

/** `p.catch(log);` as a statement: a floating promise chain, reported where it floats. */
function chainedStatement(use: Identifier | Node): boolean {
  const access = use.getParentIfKind(SyntaxKind.PropertyAccessExpression);
  const call = access?.getParentIfKind(SyntaxKind.CallExpression);
  return call?.getParentIfKind(SyntaxKind.ExpressionStatement) !== undefined;
}
