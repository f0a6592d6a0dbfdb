import ts from 'typescript';
import { unwrap } from './resolve.ts';

/**
 * A static field of a class is module state by another name: one value per
 * process, kept between events. `static n = 0` raised by `IdFactory.n += 1`
 * (or `this.n++` in a static method) gives a replayed event another number.
 */
export interface StaticField {
  readonly declaration: ts.PropertyDeclaration;
  /** `IdFactory.n`, for messages. */
  readonly name: string;
}

export const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
  (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some((m) => m.kind === kind);

/** Inside a static method, accessor or block of a class, where `this` is the class itself. */
export function inStaticMember(node: ts.Node): boolean {
  const member = ts.findAncestor(node.parent, (a) => ts.isClassElement(a) || ts.isFunctionExpression(a));
  return (
    member !== undefined &&
    (ts.isClassStaticBlockDeclaration(member) ||
      ((ts.isMethodDeclaration(member) || ts.isGetAccessor(member) || ts.isSetAccessor(member)) &&
        hasModifier(member, ts.SyntaxKind.StaticKeyword)))
  );
}

/**
 * The mutable static field `access` reads or writes: `Klass.field`, or
 * `this.field` in a static member. Only then is the checker asked (a class
 * name's symbol costs nothing; typing other receivers would).
 */
export function staticFieldOf(
  access: ts.Node,
  checker: ts.TypeChecker,
  { readonlyToo = false } = {},
): StaticField | undefined {
  if (!ts.isPropertyAccessExpression(access)) return undefined;
  const receiver = unwrap(access.expression);
  if (receiver.kind === ts.SyntaxKind.ThisKeyword) {
    if (!inStaticMember(access)) return undefined;
  } else {
    if (!ts.isIdentifier(receiver)) return undefined;
    const symbol = checker.getSymbolAtLocation(receiver);
    const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (!target || !(target.flags & ts.SymbolFlags.Class)) return undefined;
  }
  const declaration = checker.getSymbolAtLocation(access.name)?.valueDeclaration;
  if (
    !declaration ||
    !ts.isPropertyDeclaration(declaration) ||
    !hasModifier(declaration, ts.SyntaxKind.StaticKeyword) ||
    (!readonlyToo && hasModifier(declaration, ts.SyntaxKind.ReadonlyKeyword))
  )
    return undefined;
  const owner = declaration.parent;
  const className = ts.isClassLike(owner) && owner.name ? owner.name.text : 'this';
  return { declaration, name: `${className}.${access.name.text}` };
}

/**
 * The writes (`=`, `+=`, `++`…, as `isWrite` names their target) of static
 * fields made inside functions of a file: each call changes the field.
 */
export function staticFieldWritesIn(
  file: ts.SourceFile,
  checker: ts.TypeChecker,
  isWrite: (node: ts.Node) => ts.Expression | undefined,
): Map<ts.PropertyDeclaration, ts.Node[]> {
  const found = new Map<ts.PropertyDeclaration, ts.Node[]>();
  const visit = (node: ts.Node): void => {
    const target = isWrite(node);
    const written = target && ts.findAncestor(node, ts.isFunctionLike) ? staticFieldOf(target, checker) : undefined;
    if (written) found.set(written.declaration, [...(found.get(written.declaration) ?? []), node]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * What a static field is given once, when its class is loaded: its
 * initializer (`static id = os.hostname()`) and what a `static { }` block of
 * its class assigns it (`NodeId.value = os.hostname()`). A value read from
 * the machine or the clock there differs from one process to the next.
 */
export function staticFieldValues(declaration: ts.PropertyDeclaration): ts.Expression[] {
  const values = declaration.initializer ? [declaration.initializer] : [];
  const owner = declaration.parent;
  // `NodeId.value = …`, `this.value = …`, also through a cast (`(Worker as { id: string }).id = …` of a readonly field).
  const assigns = (left: ts.Expression) => {
    if (!ts.isPropertyAccessExpression(left) || left.name.text !== declaration.name.getText()) return false;
    const receiver = unwrap(left.expression);
    if (receiver.kind === ts.SyntaxKind.ThisKeyword) return true;
    return ts.isIdentifier(receiver) && owner.name !== undefined && receiver.text === owner.name.text;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && assigns(node.left))
      values.push(node.right);
    ts.forEachChild(node, visit);
  };
  for (const member of declaration.parent.members) if (ts.isClassStaticBlockDeclaration(member)) visit(member.body);
  return values;
}
