import ts from 'typescript';
import { isLibraryFile } from './package-exports.ts';
import { isFunctionNode, symbolOf, unwrap, type FunctionNode } from './resolve.ts';

/**
 * Instances a dependency-injection container hands out (unseen round 11, U11D b01–b03). The container's
 * package is often not installed where the lint runs, so its look-up is typed `any`; what it gives is read
 * from the call instead: the class of the program named as its token — tsyringe's
 * `container.resolve(LikesRepository)`, NestJS's `moduleRef.get(Service)` — or as its type argument —
 * Inversify's `container.get<VoteHandler>(TYPES.Handler)` — or, for awilix, the class registered under the
 * name looked up (`container.cradle.scoreStore`, `const { scoreStore } = container.cradle`,
 * `container.resolve('scoreStore')`, with `scoreStore: asClass(ScoreStore)` in the container's module).
 */
const lookUps = new Set(['resolve', 'get', 'getAsync']);

/** The method `name` of the class a container's look-up gives, when the receiver is one. */
export function containerMethod(
  receiver: ts.Expression,
  name: string,
  checker: ts.TypeChecker,
): FunctionNode | undefined {
  const made = lookedUpClass(receiver, checker);
  return made && methodNamed(made, name, checker);
}

function lookedUpClass(receiver: ts.Expression, checker: ts.TypeChecker): ts.ClassDeclaration | undefined {
  const node = unwrap(receiver);
  if (ts.isCallExpression(node)) return tokenClass(node, checker) ?? awilixClass(node, checker);
  if (ts.isPropertyAccessExpression(node)) return awilixClass(node, checker);
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = symbolOf(node, checker)?.valueDeclaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer)
    return lookedUpClass(declaration.initializer, checker);
  // `const { scoreStore } = container.cradle`: the cradle's property of that name.
  if (declaration && ts.isBindingElement(declaration) && ts.isVariableDeclaration(declaration.parent.parent)) {
    const source = declaration.parent.parent.initializer;
    const key = (declaration.propertyName ?? declaration.name).getText();
    return source && isCradle(source)
      ? registeredClass(unwrap(source) as ts.PropertyAccessExpression, key, checker)
      : undefined;
  }
  return undefined;
}

/** `container.resolve(C)`, `moduleRef.get(C)`, `container.get<C>(TOKEN)`: C, a class of the program. */
function tokenClass(call: ts.CallExpression, checker: ts.TypeChecker): ts.ClassDeclaration | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !lookUps.has(callee.name.text)) return undefined;
  const typeArgument = call.typeArguments?.[0];
  const named =
    typeArgument && ts.isTypeReferenceNode(typeArgument)
      ? typeArgument.typeName
      : call.arguments[0] && unwrap(call.arguments[0]);
  return named && ts.isIdentifier(named) ? programClass(named, checker) : undefined;
}

/** `container.cradle.scoreStore` or `container.resolve('scoreStore')`: the class registered under that name. */
function awilixClass(node: ts.Expression, checker: ts.TypeChecker): ts.ClassDeclaration | undefined {
  if (ts.isPropertyAccessExpression(node) && isCradle(node.expression))
    return registeredClass(unwrap(node.expression) as ts.PropertyAccessExpression, node.name.text, checker);
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  const [key] = node.arguments;
  if (node.expression.name.text !== 'resolve' || !key || !ts.isStringLiteralLike(key)) return undefined;
  return registeredClassIn(node.expression.expression, key.text, checker);
}

const isCradle = (node: ts.Expression) => {
  const inner = unwrap(node);
  return ts.isPropertyAccessExpression(inner) && inner.name.text === 'cradle';
};

const registeredClass = (cradle: ts.PropertyAccessExpression, key: string, checker: ts.TypeChecker) =>
  registeredClassIn(cradle.expression, key, checker);

/** `key: asClass(C)…` (also `.singleton()` and other calls on it) in the module that declares the container. */
function registeredClassIn(container: ts.Expression, key: string, checker: ts.TypeChecker) {
  const inner = unwrap(container);
  const declaration = ts.isIdentifier(inner) ? symbolOf(inner, checker)?.valueDeclaration : undefined;
  if (!declaration || isLibraryFile(declaration.getSourceFile())) return undefined;
  let found: ts.ClassDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(node) && node.name.getText() === key)
      found = asClassArgument(node.initializer, checker);
    ts.forEachChild(node, visit);
  };
  visit(declaration.getSourceFile());
  return found;
}

function asClassArgument(value: ts.Expression, checker: ts.TypeChecker): ts.ClassDeclaration | undefined {
  let at = unwrap(value);
  for (let hops = 0; ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression) && hops < 8; hops++)
    at = unwrap(at.expression.expression);
  if (!ts.isCallExpression(at) || !ts.isIdentifier(at.expression) || at.expression.text !== 'asClass') return undefined;
  const made = at.arguments[0] && unwrap(at.arguments[0]);
  return made && ts.isIdentifier(made) ? programClass(made, checker) : undefined;
}

function programClass(name: ts.Identifier, checker: ts.TypeChecker): ts.ClassDeclaration | undefined {
  const declaration = symbolOf(name, checker)?.declarations?.find(ts.isClassDeclaration);
  return declaration && !isLibraryFile(declaration.getSourceFile()) ? declaration : undefined;
}

/** The method (or arrow-function field) `name` of a class, else of the classes it extends. */
function methodNamed(
  made: ts.ClassDeclaration,
  name: string,
  checker: ts.TypeChecker,
  hops = 0,
): FunctionNode | undefined {
  for (const member of made.members) {
    if (member.name?.getText() !== name) continue;
    if (isFunctionNode(member) && member.body) return member;
    const init = ts.isPropertyDeclaration(member) && member.initializer ? unwrap(member.initializer) : undefined;
    if (init && isFunctionNode(init)) return init;
  }
  const base = made.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  const baseClass = base && ts.isIdentifier(base) ? programClass(base, checker) : undefined;
  return baseClass && hops < 8 ? methodNamed(baseClass, name, checker, hops + 1) : undefined;
}
