import { Node, SyntaxKind, type ElementAccessExpression } from 'ts-morph';

/**
 * Where a function is called from that its own name's references do not show: the function a getter
 * returns is called where the getter is read (`counters.bump(page)` of `get bump() { return (p) => … }`);
 * a symbol-keyed method (`async [BUMP](…)`) where its symbol picks it (`this[BUMP](…)`); and a method
 * picked by a key whose type is a union of literal names (`this[kind](id)` with `kind: 'view' | 'share'`)
 * runs where that key may name it. Each site is the name or key inside the call.
 */
export function indirectCallSitesOf(fn: Node): Node[] {
  const getter = returningGetter(fn);
  if (getter) {
    const name = getter.getNameNode();
    return Node.isIdentifier(name) ? name.findReferencesAsNodes().filter((r) => r !== name) : [];
  }
  if (!Node.isMethodDeclaration(fn)) return [];
  const name = fn.getNameNode();
  if (Node.isComputedPropertyName(name)) {
    const key = name.getExpression();
    if (!Node.isIdentifier(key)) return [];
    return key.findReferencesAsNodes().filter((r) => r !== key && pickedCall(r) !== undefined);
  }
  const owner = fn.getParentIfKind(SyntaxKind.ClassDeclaration);
  if (!owner || !Node.isIdentifier(name)) return [];
  const method = name.getText();
  return owner
    .getSourceFile()
    .getDescendantsOfKind(SyntaxKind.ElementAccessExpression)
    .filter((access) => isCallee(access) && keyMayName(access, method) && receivedBy(access, owner))
    .map((access) => access.getArgumentExpressionOrThrow());
}

/** A getter whose body returns `fn` (`get bump() { return (page) => … }`). */
function returningGetter(fn: Node) {
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined;
  const returned = fn.getParentIfKind(SyntaxKind.ReturnStatement);
  return returned?.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a))?.asKind(SyntaxKind.GetAccessor);
}

/** The call `x[key](…)` whose key `reference` is. */
function pickedCall(reference: Node) {
  const access = reference.getParentIfKind(SyntaxKind.ElementAccessExpression);
  return access && access.getArgumentExpression() === reference && isCallee(access) ? access : undefined;
}

const isCallee = (access: ElementAccessExpression) =>
  access.getParentIfKind(SyntaxKind.CallExpression)?.getExpression() === access;

/** The key is not a literal (the name's references hold those) and its type is, or is a union holding, the literal `method`. */
function keyMayName(access: ElementAccessExpression, method: string): boolean {
  const key = access.getArgumentExpression();
  if (!key || Node.isStringLiteral(key)) return false;
  const type = key.getType();
  return (type.isUnion() ? type.getUnionTypes() : [type]).some((t) => t.getLiteralValue() === method);
}

/** `this[…]` inside the class, or a receiver the checker types with it. */
function receivedBy(access: ElementAccessExpression, owner: Node): boolean {
  const receiver = access.getExpression();
  if (Node.isThisExpression(receiver)) return receiver.getFirstAncestorByKind(SyntaxKind.ClassDeclaration) === owner;
  return receiver.getType().getSymbol()?.getDeclarations().includes(owner) ?? false;
}
