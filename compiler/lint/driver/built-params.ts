import { Node, SyntaxKind, type ArrayLiteralExpression, type Identifier } from 'ts-morph';

/**
 * Bound values of a parameter list that is not written as one array literal, by position:
 *
 * - `Object.values(row)` of an object literal (`const row = { site, seen_at: new Date(), … }`): its
 *   properties in the order written, as JavaScript lists them;
 * - a const array filled by `params.push(a, b)` statements after it is made (`const params = [tenant];
 *   params.push(Date.now())`): its elements, then each push's arguments in source order.
 *
 * Positions that cannot be told (a spread, a push in a branch or a loop, another method changing the
 * array, an element written by index) end the list there: what comes after is left unknown, never guessed.
 */
export function builtParams(node: Node, initializer: (identifier: Node) => Node | undefined): Node[] | undefined {
  if (Node.isCallExpression(node) && node.getExpression().getText() === 'Object.values') {
    const argument = node.getArguments()[0];
    const object = argument && Node.isIdentifier(argument) ? initializer(argument) : argument;
    return object && Node.isObjectLiteralExpression(object) ? valuesInOrder(object.getProperties()) : undefined;
  }
  return undefined;
}

function valuesInOrder(properties: readonly Node[]): Node[] {
  const values: Node[] = [];
  for (const p of properties) {
    if (Node.isPropertyAssignment(p) && p.getInitializer()) values.push(p.getInitializer()!);
    else if (Node.isShorthandPropertyAssignment(p)) values.push(p.getNameNode());
    else break;
  }
  return values;
}

const growsOnly = new Set(['push']);
const readsOnly = new Set(['length', 'map', 'slice', 'join', 'at', 'includes', 'indexOf', 'forEach', 'filter']);

/** `const params = [a]` then `params.push(b, c)`: a, b, c — up to the first push whose place in the order is not fixed. */
export function pushedParams(name: Identifier, array: ArrayLiteralExpression, before: Node): Node[] {
  const values: Node[] = [];
  for (const e of array.getElements()) {
    if (Node.isSpreadElement(e)) return values;
    values.push(e);
  }
  const block = array.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a));
  const uses = name
    .findReferencesAsNodes()
    .filter((use) => use !== name && use.getStart() < before.getStart())
    .sort((a, b) => a.getStart() - b.getStart());
  for (const use of uses) {
    const access = use.getParentIfKind(SyntaxKind.PropertyAccessExpression);
    const method = access?.getName();
    if (method && readsOnly.has(method)) continue;
    const push = access?.getParentIfKind(SyntaxKind.CallExpression);
    const statement = push?.getParentIfKind(SyntaxKind.ExpressionStatement);
    if (!method || !growsOnly.has(method) || !push || statement?.getParent() !== block) return values;
    for (const argument of push.getArguments()) {
      if (Node.isSpreadElement(argument)) return values;
      values.push(argument);
    }
  }
  return values;
}
