import ts from 'typescript';
import { calledName } from './call-sites.ts';
import { symbolOf } from './resolve.ts';
import { isLibraryFile } from './package-exports.ts';

/** Does this call leave the argument at `index` to its default: not given, `undefined`, or behind a spread? */
function leavesOut(call: ts.CallExpression | ts.NewExpression, index: number): boolean {
  const args = call.arguments ?? [];
  if (args.slice(0, index + 1).some(ts.isSpreadElement)) return true;
  const argument = args[index];
  return (
    argument === undefined ||
    (ts.isIdentifier(argument) && argument.text === 'undefined') ||
    ts.isVoidExpression(argument)
  );
}

/** How a use of the function's name may reach the default: undefined when it cannot (a call that passes the argument, an import). */
function mayUseDefault(id: ts.Identifier, index: number): boolean | undefined {
  const parent = id.parent;
  if (ts.isTypeReferenceNode(parent) || ts.isTypeQueryNode(parent)) return undefined; // a type, not a call
  // An overload's signature (`export function bucket(): number;`) declares the name; it calls nothing.
  if (ts.isFunctionDeclaration(parent) && parent.name === id && parent.body === undefined) return undefined;
  // A rename hides later calls from a search by name; a default import may take any name.
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent))
    return parent.propertyName !== undefined && parent.propertyName.getText() !== parent.name.getText();
  if (ts.isImportClause(parent) || ts.isExportAssignment(parent)) return true;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === id)
    return leavesOut(parent, index);
  // Handed over as a value (`list.map(makeKey)`), or anything else: its callers are out of sight.
  return true;
}

/**
 * Whether some call may leave a parameter to its default: a default such as
 * `salt = Math.random()` is what the parameter holds only then. Decided from
 * every use of the function's name in the program: when all of them are
 * calls that pass the argument (`makeKey('v1')`, `stamp(e, e.ts)`), the
 * default never runs. A function without a name to search for, one handed
 * over as a value, renamed on import, or never called in the program (its
 * callers are elsewhere) may use it.
 */
export class DefaultParameters {
  readonly #used = new Map<ts.ParameterDeclaration, boolean>();

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  mayBeUsed(parameter: ts.ParameterDeclaration): boolean {
    let used = this.#used.get(parameter);
    if (used === undefined) this.#used.set(parameter, (used = this.#decide(parameter)));
    return used;
  }

  #decide(parameter: ts.ParameterDeclaration): boolean {
    const name = calledName(parameter);
    const own = name && this.checker.getSymbolAtLocation(name);
    if (!name || !own) return true;
    const index = parameter.parent.parameters.indexOf(parameter);
    let calls = 0;
    for (const file of this.program.getSourceFiles()) {
      if (isLibraryFile(file) || !file.text.includes(name.text)) continue;
      let used = false;
      const visit = (node: ts.Node): void => {
        if (used) return;
        if (ts.isIdentifier(node) && node !== name && node.text === name.text) {
          // A specifier is judged unresolved: resolving an import of another module's namesake only costs.
          const specifier = ts.isImportSpecifier(node.parent) || ts.isExportSpecifier(node.parent);
          const reaches = specifier || symbolOf(node, this.checker) === own ? mayUseDefault(node, index) : undefined;
          if (reaches) used = true;
          else if (reaches === false && !specifier) calls++;
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      if (used) return true;
    }
    return calls === 0;
  }
}
