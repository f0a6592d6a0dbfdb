import { ts } from 'ts-morph';
import { Overrides } from '../analysis/call-graph/overrides.ts';

/** The classes each program makes and extends, read once a program. */
const hierarchies = new WeakMap<ts.Program, Overrides>();

/** The call graph's reader of classes, for a program of ts-morph's (the same compiler, bundled). */
type GraphProgram = ConstructorParameters<typeof Overrides>[0];
type GraphChecker = ConstructorParameters<typeof Overrides>[1];

/** Whether a class member is declared `abstract`: a getter or field each subclass gives its own value. */
export function isAbstractMember(
  declaration: ts.Node,
): declaration is ts.PropertyDeclaration | ts.GetAccessorDeclaration {
  return (
    (ts.isPropertyDeclaration(declaration) || ts.isGetAccessorDeclaration(declaration)) &&
    (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Abstract) !== 0
  );
}

/**
 * `this.windowMinutes` in a base class whose getter or field is abstract
 * (unseen round 10, b28): the expressions the classes the program makes
 * with `new` give it, one a class: a getter's single `return`, a field's
 * initializer, from the nearest declaration. Undefined when no made class
 * extends the owner, or one gives it a value that is not one expression.
 */
export function overridingValues(
  member: ts.PropertyDeclaration | ts.GetAccessorDeclaration,
  program: ts.Program,
): ts.Expression[] | undefined {
  const owner = member.parent;
  const name = member.name;
  if (!ts.isClassLike(owner) || !ts.isIdentifier(name)) return undefined;
  let classes = hierarchies.get(program);
  if (!classes) {
    classes = new Overrides(program as unknown as GraphProgram, program.getTypeChecker() as unknown as GraphChecker);
    hierarchies.set(program, classes);
  }
  const given: ts.Expression[] = [];
  for (const made of classes.made() as ReadonlySet<unknown> as ReadonlySet<ts.ClassLikeDeclaration>) {
    const chain = classes.bases(made as never) as unknown as ts.ClassLikeDeclaration[];
    const at = chain.indexOf(owner);
    if (at <= 0) continue;
    const declared = chain.slice(0, at).flatMap((c) => c.members.filter((m) => memberName(m) === name.text))[0];
    const value = declared && memberValue(declared);
    if (!value) return undefined;
    given.push(value);
  }
  return given.length > 0 ? given : undefined;
}

const memberName = (member: ts.ClassElement): string | undefined =>
  member.name && ts.isIdentifier(member.name) ? member.name.text : undefined;

/** `protected readonly table = 'live'`, `get windowMinutes() { return 1; }`: the one expression the member gives. */
function memberValue(member: ts.ClassElement): ts.Expression | undefined {
  if (ts.isPropertyDeclaration(member)) return member.initializer;
  if (!ts.isGetAccessorDeclaration(member) || !member.body) return undefined;
  const [only, ...rest] = member.body.statements;
  return rest.length === 0 && only && ts.isReturnStatement(only) ? only.expression : undefined;
}
