import ts from 'typescript';
import { isConst, resolveName, symbolOf, unwrap } from './resolve.ts';

/** How many names are followed to the value they hold (`clock` → `systemClock` → `{ now }`). */
const maxHops = 4;

const isThisMember = (node: ts.Expression): node is ts.PropertyAccessExpression =>
  ts.isPropertyAccessExpression(node) && unwrap(node.expression).kind === ts.SyntaxKind.ThisKeyword;

/**
 * The value a name or a field holds, where the program writes it in one
 * place: a `const`'s initializer, a class field's (`private clock =
 * systemClock`), a parameter's default (`constructor(private now =
 * Date.now)`, `clock = systemClock`) when `defaultUsed` says a caller may
 * leave it out. Anything else is returned as written (an object literal, an
 * arrow, `Date.now`, a library's import); undefined when nothing says.
 */
export function heldValue(
  expression: ts.Expression,
  checker: ts.TypeChecker,
  defaultUsed: (parameter: ts.ParameterDeclaration) => boolean,
  hops = 0,
): ts.Node | undefined {
  const node = unwrap(expression);
  const name = ts.isIdentifier(node) ? node : isThisMember(node) ? node.name : undefined;
  if (!name || !ts.isIdentifier(name)) return node;
  if (hops >= maxHops) return undefined;
  const resolved = resolveName(name, checker);
  if (resolved.kind === 'function') return resolved.node;
  if (resolved.kind === 'external') return node;
  const written = heldInitializer(resolved, name, checker, defaultUsed);
  return written && heldValue(written, checker, defaultUsed, hops + 1);
}

/** The one expression a const, a field or a used default gives the name. */
function heldInitializer(
  resolved: ReturnType<typeof resolveName>,
  name: ts.Identifier,
  checker: ts.TypeChecker,
  defaultUsed: (parameter: ts.ParameterDeclaration) => boolean,
): ts.Expression | undefined {
  if (resolved.kind === 'variable') return isConst(resolved.node) ? resolved.node.initializer : undefined;
  if (resolved.kind === 'parameter') {
    const parameter = resolved.node;
    if (ts.isBindingElement(parameter)) return bindingDefault(parameter, defaultUsed);
    return ts.isParameter(parameter) && parameter.initializer && defaultUsed(parameter)
      ? parameter.initializer
      : undefined;
  }
  const declaration = checker.getSymbolAtLocation(name)?.valueDeclaration;
  return declaration && ts.isPropertyDeclaration(declaration) ? declaration.initializer : undefined;
}

/**
 * `clock` of `function bucketOf(user, { clock = () => Date.now() }: Opts = {})`: the default of a field of a
 * destructured options parameter, when a call leaves the whole parameter out (`bucketOf(c.user)`) and the
 * parameter's own default (`= {}`) does not give the field.
 */
function bindingDefault(
  binding: ts.BindingElement,
  defaultUsed: (parameter: ts.ParameterDeclaration) => boolean,
): ts.Expression | undefined {
  const parameter = binding.parent.parent;
  if (!binding.initializer || !ts.isObjectBindingPattern(binding.parent) || !ts.isParameter(parameter))
    return undefined;
  if (!parameter.initializer || !defaultUsed(parameter)) return undefined;
  const given = unwrap(parameter.initializer);
  const key = (binding.propertyName ?? binding.name).getText();
  const gives =
    !ts.isObjectLiteralExpression(given) ||
    given.properties.some((p) => ts.isSpreadAssignment(p) || p.name?.getText() === key);
  return gives ? undefined : binding.initializer;
}

/** The member `name` of an object value: a property of a literal (`{ now: () => new Date() }`), a method of a class made with `new`. */
export function memberValue(object: ts.Node, name: string, checker: ts.TypeChecker): ts.Node | undefined {
  if (ts.isObjectLiteralExpression(object)) {
    for (const p of object.properties) {
      if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) || p.name.text !== name) continue;
      if (ts.isPropertyAssignment(p)) return unwrap(p.initializer);
      if (ts.isMethodDeclaration(p)) return p;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
    }
    return undefined;
  }
  if (!ts.isNewExpression(object) || !ts.isIdentifier(object.expression)) return undefined;
  // `new WallClock()` with `WallClock` imported: the class the import stands for.
  const made = symbolOf(object.expression, checker)?.valueDeclaration;
  if (!made || !ts.isClassDeclaration(made)) return undefined;
  const member = made.members.find((m) => m.name && ts.isIdentifier(m.name) && m.name.text === name);
  if (member && ts.isMethodDeclaration(member)) return member;
  return member && ts.isPropertyDeclaration(member) && member.initializer ? unwrap(member.initializer) : undefined;
}

/**
 * What a call runs when its callee is a value held by a name, not a
 * declared function: `this.now()` with `now = Date.now`, `this.clock.now()`
 * with `clock: Clock = systemClock`. The function value (an arrow, a method,
 * a function, or `Date.now` to be judged by its name); undefined otherwise.
 */
export function heldCallee(
  callee: ts.Expression,
  checker: ts.TypeChecker,
  defaultUsed: (parameter: ts.ParameterDeclaration) => boolean,
): ts.Node | undefined {
  const node = unwrap(callee);
  if (ts.isIdentifier(node) || isThisMember(node)) {
    const held = heldValue(node, checker, defaultUsed);
    return held === node ? undefined : held;
  }
  if (!ts.isPropertyAccessExpression(node)) return undefined;
  const receiver = unwrap(node.expression);
  if (!ts.isIdentifier(receiver) && !isThisMember(receiver)) return undefined;
  const object = heldValue(receiver, checker, defaultUsed);
  return object && object !== receiver ? memberValue(object, node.name.text, checker) : undefined;
}

/**
 * What a name destructured by a variable declaration was taken from:
 * `gen.next()` for `value` of `const { value } = gen.next()`; of an object
 * literal, the property it names (`const { at } = { at: e.ts, seen: Date.now() }`
 * takes `e.ts`). Undefined for a destructured parameter (its caller's).
 */
export function destructuredFrom(binding: ts.BindingElement): ts.Expression | undefined {
  let pattern: ts.Node = binding.parent;
  while (ts.isBindingElement(pattern.parent)) pattern = pattern.parent.parent;
  const declaration = pattern.parent;
  if (!ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  const source = unwrap(declaration.initializer);
  if (binding.parent !== declaration.name || !ts.isObjectBindingPattern(binding.parent)) return source;
  if (!ts.isObjectLiteralExpression(source)) return source;
  const key = binding.propertyName ?? binding.name;
  if (!ts.isIdentifier(key)) return source;
  for (const p of source.properties) {
    if (ts.isSpreadAssignment(p)) return source;
    if (p.name && ts.isIdentifier(p.name) && p.name.text === key.text)
      return ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : source;
  }
  return undefined;
}

/**
 * The binding and the declaration of a name destructured from an object (`const { now } = Date`,
 * `const { bucket } = require('./time.cjs')`). Undefined for any other name.
 */
export function objectBindingOf(
  callee: ts.Expression,
  checker: ts.TypeChecker,
): { readonly binding: ts.BindingElement; readonly declaration: ts.VariableDeclaration } | undefined {
  const node = unwrap(callee);
  if (!ts.isIdentifier(node)) return undefined;
  const resolved = resolveName(node, checker);
  if (resolved.kind !== 'parameter' || !ts.isBindingElement(resolved.node)) return undefined;
  const binding = resolved.node;
  const declaration = binding.parent.parent;
  if (!ts.isObjectBindingPattern(binding.parent) || !ts.isVariableDeclaration(declaration)) return undefined;
  return { binding, declaration };
}

/**
 * `random` of `const { random, floor } = Math`, `now` of `const { now } = Date`:
 * the member a name was destructured from, spelt as the object's member
 * (`Math.random`), so that it is judged like the member called in place.
 * Undefined when the name is not destructured from a name or a property read.
 */
export function destructuredMemberName(callee: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const destructured = objectBindingOf(callee, checker);
  if (!destructured) return undefined;
  const { binding, declaration } = destructured;
  const source = declaration.initializer && unwrap(declaration.initializer);
  if (!source || !(ts.isIdentifier(source) || ts.isPropertyAccessExpression(source))) return undefined;
  const member = binding.propertyName ?? binding.name;
  return ts.isIdentifier(member) ? `${source.getText().replace(/\s+/g, '')}.${member.text}` : undefined;
}

/**
 * `cond ? arrival : () => 0`, `custom ?? Date.now`, `override || systemClock`: a value chosen from several,
 * each followed to what its name holds. Every branch may be the one taken, so each one's origin counts.
 * Undefined when the value is not such a choice.
 */
export function chosenValues(
  value: ts.Node,
  checker: ts.TypeChecker,
  defaultUsed: (parameter: ts.ParameterDeclaration) => boolean,
): ts.Node[] | undefined {
  const node = ts.isExpression(value) ? unwrap(value) : value;
  const choice = ts.isConditionalExpression(node)
    ? [node.whenTrue, node.whenFalse]
    : ts.isBinaryExpression(node) && choiceOperators.has(node.operatorToken.kind)
      ? [node.left, node.right]
      : undefined;
  return choice?.flatMap((branch) => {
    const held = heldValue(branch, checker, defaultUsed);
    return held ? [held] : [];
  });
}

const choiceOperators: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
]);
