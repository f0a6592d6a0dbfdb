import ts from 'typescript';
import { resolveName, symbolOf, unwrap } from '../call-graph/resolve.ts';
import { numericConstant, type ParameterConstants } from './numeric-constant.ts';

/**
 * `partition.of(ws)` with `const partition = new IsoPartitioner()` and `constructor(private readonly width = 13)`:
 * the numbers the instance's parameter properties hold, as its `new` passed them (or left them to their
 * defaults). `this.width` read in the method is then that number. Empty when the receiver is not a const
 * made with `new` of a class of the program.
 */
export function instanceConstants(
  callee: ts.Expression,
  checker: ts.TypeChecker,
  known: ParameterConstants,
): ParameterConstants {
  const access = unwrap(callee);
  if (!ts.isPropertyAccessExpression(access)) return known;
  const receiver = unwrap(access.expression);
  const owner = ts.isIdentifier(receiver) ? resolveName(receiver, checker) : undefined;
  const variable = owner?.kind === 'variable' ? owner.node : undefined;
  const made =
    variable?.initializer && (variable.parent.flags & ts.NodeFlags.Const) !== 0 && unwrap(variable.initializer);
  if (!made || !ts.isNewExpression(made)) return known;
  const declaration = symbolOf(made.expression, checker)?.valueDeclaration;
  const constructor =
    declaration && ts.isClassLike(declaration) ? declaration.members.find(ts.isConstructorDeclaration) : undefined;
  if (!constructor) return known;
  const constants = new Map(known);
  constructor.parameters.forEach((parameter, i) => {
    if (!ts.isParameterPropertyDeclaration(parameter, constructor)) return;
    const given = made.arguments?.[i] ?? parameter.initializer;
    const value = given && numericConstant(given, checker);
    if (value !== undefined) constants.set(parameter, value);
  });
  return constants;
}

/**
 * `this.width` of a parameter property given a number for the instance being read, or of a `readonly` field
 * initialised with a constant that no constructor assigns again.
 */
export function thisFieldConstant(
  node: ts.PropertyAccessExpression,
  checker: ts.TypeChecker,
  bound: ParameterConstants,
  read: (e: ts.Expression) => number | undefined,
): number | undefined {
  if (unwrap(node.expression).kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const declaration = checker.getSymbolAtLocation(node.name)?.valueDeclaration;
  if (!declaration) return undefined;
  if (ts.isParameter(declaration)) return bound.get(declaration);
  if (!ts.isPropertyDeclaration(declaration) || !declaration.initializer) return undefined;
  const readonly = ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly;
  return readonly && !assignedInConstructor(declaration) ? read(declaration.initializer) : undefined;
}

/** `this.width = w` in the class's constructor: the initializer is not what the field ends up holding. */
function assignedInConstructor(field: ts.PropertyDeclaration): boolean {
  const constructor = field.parent.members.find(ts.isConstructorDeclaration);
  const name = field.name.getText();
  let assigned = false;
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      node.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      node.left.name.text === name
    )
      assigned = true;
    else ts.forEachChild(node, visit);
  };
  if (constructor?.body) visit(constructor.body);
  return assigned;
}
