import ts from 'typescript';
import { frozenTable } from './dispatch-tables.ts';
import { isLibraryFile } from './package-exports.ts';
import { isConst, isFunctionNode, resolveCallee, resolveName, unwrap, type FunctionNode } from './resolve.ts';

/** How many names, calls and spreads one property read is followed through. */
const maxHops = 6;

/**
 * What `receiver.name` reads, when the receiver is an object the program writes out: a const
 * object literal, or the object a function of the program returns (`entryFrom(msg)` returning
 * `{ ...defaults(), ...msg, entryId: msg.id }`). The last part of the literal that may set the
 * property wins, as at run time: a property written out, or a spread that may hold it — an
 * object of the program looked into, else one whose type has the property (then the spread
 * expression is the value). A spread whose type lacks it is skipped: `...msg` of a message type
 * without `entryId` leaves `entryId` to an earlier part.
 *
 * Undefined when that cannot be told (then the whole receiver is judged, as before); `absent`
 * when no part sets it.
 */
export function propertyValue(
  receiver: ts.Expression,
  name: string,
  checker: ts.TypeChecker,
  returned: (fn: FunctionNode) => readonly ts.Expression[],
  hops = 0,
  typed = false,
): ts.Expression | 'absent' | undefined {
  const object = objectOf(receiver, checker, returned, hops, typed);
  if (!object) return undefined;
  for (const part of [...object.properties].reverse()) {
    if (ts.isSpreadAssignment(part)) {
      const inner = propertyValue(part.expression, name, checker, returned, hops + 1, typed);
      if (inner === 'absent') continue;
      if (inner) return inner;
      if (!checker.getTypeAtLocation(part.expression).getProperty(name)) continue;
      return part.expression;
    }
    const key = part.name;
    if (!key || ts.isComputedPropertyName(key)) return undefined;
    if (!(ts.isIdentifier(key) || ts.isStringLiteral(key)) || key.text !== name) continue;
    if (ts.isPropertyAssignment(part)) return part.initializer;
    if (ts.isShorthandPropertyAssignment(part)) return part.name;
    return undefined; // a method or an accessor: its result is not read here
  }
  return 'absent';
}

/**
 * `settings.partition` of `const settings = Object.freeze({ get partition() { … } })`: the `get` accessor an object
 * literal of the program declares for the property read (the last part that may set it wins, as in
 * `propertyValue`). The checker types a frozen literal's property as a plain one, so the read is not seen as a
 * getter's by its symbol.
 */
export function literalGetter(
  receiver: ts.Expression,
  name: string,
  checker: ts.TypeChecker,
  returned: (fn: FunctionNode) => readonly ts.Expression[],
): ts.GetAccessorDeclaration | undefined {
  const object = objectOf(receiver, checker, returned, 0);
  const part = object?.properties.findLast(
    (p) => ts.isSpreadAssignment(p) || (p.name !== undefined && propertyNameText(p.name) === name),
  );
  return part && ts.isGetAccessorDeclaration(part) && part.body ? part : undefined;
}

const propertyNameText = (key: ts.PropertyName) =>
  ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;

/**
 * The object literal an expression holds: written there, held by a const, or returned by a function
 * of the program. `typed`: a method of any receiver is found by the receiver's type (`d.toStatement()`
 * with `d` a callback's parameter) — costly, so only where few expressions are asked about.
 */
export function objectOf(
  expression: ts.Expression,
  checker: ts.TypeChecker,
  returned: (fn: FunctionNode) => readonly ts.Expression[],
  hops: number,
  typed = false,
): ts.ObjectLiteralExpression | undefined {
  if (hops > maxHops) return undefined;
  const node = unwrap(expression);
  // `Object.freeze({ … })` is read as the object it freezes.
  const frozen = frozenTable(node);
  if (frozen) return objectOf(frozen, checker, returned, hops + 1, typed);
  if (ts.isObjectLiteralExpression(node)) return node;
  if (ts.isIdentifier(node)) {
    const owner = resolveName(node, checker);
    if (owner.kind !== 'variable' || !isConst(owner.node) || !owner.node.initializer) return undefined;
    return objectOf(owner.node.initializer, checker, returned, hops + 1, typed);
  }
  // `deps.time` of `const deps = { time: { parse, now } }`: the object a property of such an object holds.
  if (ts.isPropertyAccessExpression(node)) {
    const held = propertyValue(node.expression, node.name.text, checker, returned, hops + 1, typed);
    return held && held !== 'absent' ? objectOf(held, checker, returned, hops + 1, typed) : undefined;
  }
  if (!ts.isCallExpression(node)) return undefined;
  const callee = resolveCallee(node, checker);
  const fn = callee.kind === 'function' ? callee.node : typed ? methodByType(node, checker) : undefined;
  if (!fn) return undefined;
  // One shape returned (a function with several `return`s of other objects is not guessed at).
  const results = returned(fn);
  return results.length === 1 ? objectOf(results[0]!, checker, returned, hops + 1, typed) : undefined;
}

/** `d.toStatement()`: the method of the program the receiver's type declares, with a body. */
function methodByType(call: ts.CallExpression, checker: ts.TypeChecker): FunctionNode | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const member = checker.getTypeAtLocation(callee.expression).getProperty(callee.name.text);
  const declaration = member?.valueDeclaration;
  if (!declaration || isLibraryFile(declaration.getSourceFile())) return undefined;
  return isFunctionNode(declaration) && declaration.body ? declaration : undefined;
}
