import ts from 'typescript';
import { isLibraryFile } from './package-exports.ts';
import { symbolOf, unwrap } from './resolve.ts';

/** How many `extends` are climbed from a class to its bases. */
const maxBases = 16;

/**
 * `this.sessionOf(v)` in a base class runs the method of the instance's class: the base's own, or an
 * override; so does `t.bucket` of a getter, `t` typed with the base but holding an instance of a subclass. Which classes have instances is read from the `new` expressions of the program, once a program.
 */
export class Overrides {
  #made: ReadonlySet<ts.ClassLikeDeclaration> | undefined;

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  /**
   * The methods with a body that `this.<name>()` inside `method`'s class may run: for each class of the
   * program made with `new` that is that class or extends it, the nearest declaration of the name. Undefined
   * when no such class is made in the program (instances made elsewhere: the method itself is read).
   */
  of<M extends ts.MethodDeclaration | ts.GetAccessorDeclaration>(method: M): readonly M[] | undefined {
    const owner = method.parent;
    if (!ts.isClassLike(owner) || !ts.isIdentifier(method.name)) return undefined;
    const name = method.name.text;
    const found = new Set<M>();
    let instantiated = false;
    for (const made of this.#instantiated()) {
      const chain = this.#bases(made);
      const at = chain.indexOf(owner);
      if (at < 0) continue;
      instantiated = true;
      // A getter is overridden by a getter (`override get bucket()`), a method by a method.
      const runs = chain
        .slice(0, at + 1)
        .flatMap((c) => c.members.filter((m): m is M => m.kind === method.kind && isBodyOf(m, name)))[0];
      if (runs) found.add(runs);
    }
    return instantiated ? [...found] : undefined;
  }

  /** Whether the program makes an instance of this class with `new` (a subclass's instance does not count). */
  isMade(declaration: ts.ClassLikeDeclaration): boolean {
    return this.#instantiated().has(declaration);
  }

  /** The classes the program makes with `new`, in its own files. */
  made(): ReadonlySet<ts.ClassLikeDeclaration> {
    return this.#instantiated();
  }

  /** The class and the classes it extends, nearest first. */
  bases(start: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration[] {
    return this.#bases(start);
  }

  #bases(start: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration[] {
    const chain = [start];
    for (let c = start; chain.length < maxBases;) {
      const base = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      const declaration = base && symbolOf(unwrap(base), this.checker)?.valueDeclaration;
      if (!declaration || !ts.isClassLike(declaration) || chain.includes(declaration)) break;
      chain.push((c = declaration));
    }
    return chain;
  }

  #instantiated(): ReadonlySet<ts.ClassLikeDeclaration> {
    if (this.#made) return this.#made;
    const made = new Set<ts.ClassLikeDeclaration>();
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node)) {
        const declaration = symbolOf(unwrap(node.expression), this.checker)?.valueDeclaration;
        if (declaration && ts.isClassLike(declaration)) made.add(declaration);
      }
      ts.forEachChild(node, visit);
    };
    for (const file of this.program.getSourceFiles())
      if (!isLibraryFile(file) && !file.isDeclarationFile && file.text.includes('new ')) visit(file);
    return (this.#made = made);
  }
}

const isBodyOf = (member: ts.ClassElement, name: string): boolean =>
  (ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) &&
  member.body !== undefined &&
  ts.isIdentifier(member.name) &&
  member.name.text === name;
