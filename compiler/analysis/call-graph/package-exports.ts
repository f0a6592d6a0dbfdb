import ts from 'typescript';
import { unwrap } from './unwrap.ts';

/** How many imports and re-exports (`export { v4 as fresh } from 'uuid'`, then `import { fresh as id }`) are followed. */
const maxAliasHops = 8;

const isPackage = (specifier: string) => !/^\.{0,2}\//.test(specifier);

/** Declared by a library: a `.d.ts`, or a file in node_modules. */
export const isLibraryFile = (file: ts.SourceFile) =>
  file.isDeclarationFile || /[\\/]node_modules[\\/]/.test(file.fileName);

/**
 * A bare specifier that lands in the program's own sources — a tsconfig
 * `paths` alias (`@core/ids`) or a workspace package linked into
 * node_modules (resolved to its real path) — is the program's code, to be
 * followed like a relative import, not a package judged by its name.
 */
function landsInProgram(alias: ts.Symbol, checker: ts.TypeChecker): boolean {
  const target = checker.getImmediateAliasedSymbol(alias);
  const declaration = target?.valueDeclaration ?? target?.declarations?.[0];
  return declaration !== undefined && !isLibraryFile(declaration.getSourceFile());
}

/**
 * The module an import, an `export … from`, or a `require('…')` initializer
 * names (`const { types } = require('pkg')`, `const x = require('pkg').x`).
 */
function moduleNamedBy(declaration: ts.Node): string | undefined {
  const from =
    ts.findAncestor(declaration, ts.isImportDeclaration)?.moduleSpecifier ??
    ts.findAncestor(declaration, ts.isExportDeclaration)?.moduleSpecifier;
  if (from) return ts.isStringLiteral(from) ? from.text : undefined;
  const variable = ts.findAncestor(declaration, ts.isVariableDeclaration);
  let init = variable?.initializer && unwrap(variable.initializer);
  while (init && ts.isPropertyAccessExpression(init)) init = unwrap(init.expression);
  if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'require')
    return undefined;
  const argument = init.arguments[0];
  return init.arguments.length === 1 && argument && ts.isStringLiteral(argument) ? argument.text : undefined;
}

/** The name a specifier takes from its module: `v4` of `{ v4 as fresh }`, `default` of a default import. */
function takenName(declaration: ts.Declaration): string | undefined {
  if (ts.isImportSpecifier(declaration) || ts.isExportSpecifier(declaration))
    return (declaration.propertyName ?? declaration.name).text;
  if (ts.isImportClause(declaration)) return 'default';
  return undefined;
}

/** A package's export, as the package names it. */
export interface PackageExport {
  readonly module: string;
  /** Undefined for a whole module (`import * as uuid`, `require('uuid')`). */
  readonly exported: string | undefined;
}

/**
 * The package export an alias stands for, through the program's own
 * barrels and renames: `fresh` of `import { fresh } from './ids/index.ts'`
 * with `export { v4 as fresh } from 'uuid'` there is uuid's `v4`. It is
 * judged by that name (a package's code is not read, and its types may not
 * be installed). Undefined when the alias ends in the program's own code.
 */
export function packageExportOfSymbol(symbol: ts.Symbol, checker: ts.TypeChecker): PackageExport | undefined {
  let at: ts.Symbol | undefined = symbol;
  for (let hop = 0; at && at.flags & ts.SymbolFlags.Alias && hop < maxAliasHops; hop++) {
    const declaration = at.declarations?.[0];
    if (!declaration) return undefined;
    const from = moduleNamedBy(declaration);
    if (from !== undefined && isPackage(from) && !landsInProgram(at, checker))
      return { module: from, exported: takenName(declaration) };
    at = checker.getImmediateAliasedSymbol(at);
  }
  return undefined;
}

/** `packageExportOfSymbol` of the symbol a name refers to. */
export function packageExportOf(name: ts.Node, checker: ts.TypeChecker): PackageExport | undefined {
  const symbol = checker.getSymbolAtLocation(name);
  return symbol ? packageExportOfSymbol(symbol, checker) : undefined;
}
