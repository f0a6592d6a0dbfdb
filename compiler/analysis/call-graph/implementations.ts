import ts from 'typescript';
import { symbolOf, unwrap } from './resolve.ts';
import { isLibraryFile } from './package-exports.ts';

/**
 * The interface of the program a receiver is declared with: `this.clock`
 * with `private clock: Clock` (a field or a constructor's parameter
 * property), or a parameter or variable `clock: Clock`. Read from the
 * declaration's type annotation, so no receiver's type is computed.
 */
export function declaredInterface(
  receiver: ts.Expression,
  checker: ts.TypeChecker,
): ts.InterfaceDeclaration | undefined {
  const node = unwrap(receiver);
  const name =
    ts.isPropertyAccessExpression(node) && unwrap(node.expression).kind === ts.SyntaxKind.ThisKeyword
      ? node.name
      : ts.isIdentifier(node)
        ? node
        : undefined;
  const declaration = name && checker.getSymbolAtLocation(name)?.valueDeclaration;
  const type =
    declaration &&
    (ts.isParameter(declaration) || ts.isPropertyDeclaration(declaration) || ts.isVariableDeclaration(declaration))
      ? declaration.type
      : undefined;
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  const declared = symbolOf(type.typeName, checker)?.declarations?.find(ts.isInterfaceDeclaration);
  return declared && !isLibraryFile(declared.getSourceFile()) ? declared : undefined;
}

/**
 * `strategy` of `const strategy = STRATEGIES.arrival`, declared without a type: the interface of the program
 * the checker gives it (`Record<string, KeyStrategy>` of the table). Asked only where no declared type was
 * found, for a method call nothing else resolved.
 */
export function inferredInterface(
  receiver: ts.Expression,
  checker: ts.TypeChecker,
): ts.InterfaceDeclaration | undefined {
  const declared = checker
    .getTypeAtLocation(unwrap(receiver))
    .getSymbol()
    ?.declarations?.find(ts.isInterfaceDeclaration);
  return declared && !isLibraryFile(declared.getSourceFile()) ? declared : undefined;
}

/**
 * The classes of the program that implement an interface
 * (`class SystemClock implements Clock`), found by the interface's name
 * and checked by symbol. Read once an interface.
 */
export class Implementations {
  readonly #classes = new Map<ts.InterfaceDeclaration, readonly ts.ClassLikeDeclaration[]>();

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  /** The methods called `name` that the implementing classes declare with a body, and how many classes there are. */
  methods(
    iface: ts.InterfaceDeclaration,
    name: string,
  ): {
    readonly classes: number;
    readonly methods: readonly ts.MethodDeclaration[];
    readonly implementing: readonly ts.ClassLikeDeclaration[];
  } {
    const classes = this.#of(iface);
    const methods = classes.flatMap((c) =>
      c.members.filter(
        (m): m is ts.MethodDeclaration =>
          ts.isMethodDeclaration(m) && m.body !== undefined && ts.isIdentifier(m.name) && m.name.text === name,
      ),
    );
    return { classes: classes.length, methods, implementing: classes };
  }

  #of(iface: ts.InterfaceDeclaration): readonly ts.ClassLikeDeclaration[] {
    let classes = this.#classes.get(iface);
    if (classes) return classes;
    const own = this.checker.getSymbolAtLocation(iface.name);
    const found: ts.ClassLikeDeclaration[] = [];
    const implementsIt = (node: ts.ClassLikeDeclaration) =>
      node.heritageClauses?.some(
        (clause) =>
          clause.token === ts.SyntaxKind.ImplementsKeyword &&
          clause.types.some((t) => ts.isIdentifier(t.expression) && symbolOf(t.expression, this.checker) === own),
      ) ?? false;
    for (const file of this.program.getSourceFiles()) {
      if (isLibraryFile(file) || !file.text.includes('implements') || !file.text.includes(iface.name.text)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isClassLike(node) && implementsIt(node)) found.push(node);
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    this.#classes.set(iface, (classes = found));
    return classes;
  }
}

const perChecker = new WeakMap<ts.TypeChecker, Implementations>();

/** The one Implementations of a program (its classes read once, whoever asks first). */
export function implementationsFor(program: ts.Program): Implementations {
  const checker = program.getTypeChecker();
  let found = perChecker.get(checker);
  if (!found) perChecker.set(checker, (found = new Implementations(program, checker)));
  return found;
}

/**
 * `this.retries.run(…)`, `this.handler.handle(…)`, `sink.write(…)` of a receiver declared with an
 * interface of the program (a field, a constructor's parameter property, a parameter): the method of
 * the one class of the program that implements it (unseen round 8, U8D: services given their retry
 * policy, handler or sink by dependency injection). None or several classes: undefined, nothing is
 * guessed. Only for a program whose Implementations was made (the call graph makes it first).
 */
export function soleImplementation(
  callee: ts.PropertyAccessExpression,
  checker: ts.TypeChecker,
): ts.MethodDeclaration | undefined {
  const implementations = perChecker.get(checker);
  const iface = implementations && declaredInterface(callee.expression, checker);
  if (!iface) return undefined;
  const { classes, methods } = implementations.methods(iface, callee.name.text);
  return classes === 1 && methods.length === 1 ? methods[0] : undefined;
}
