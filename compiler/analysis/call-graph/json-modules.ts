import ts from 'typescript';

/**
 * What a JSON module holds (`import cfg from './cfg.json' with { type: 'json' }`): the expression the file
 * is, read like a const's initializer — a configuration written out, the same on every run. Undefined for
 * any other declaration. (The checker sees JSON files with `resolveJsonModule`.)
 */
export function jsonModuleValue(declaration: ts.Node): ts.Expression | undefined {
  if (!ts.isSourceFile(declaration) || !declaration.fileName.endsWith('.json')) return undefined;
  const [statement] = declaration.statements;
  return statement && ts.isExpressionStatement(statement) ? statement.expression : undefined;
}

/** The value of the JSON module a name is imported from (`cfg` above), or undefined. */
export function importedJson(name: ts.Identifier, checker: ts.TypeChecker): ts.Expression | undefined {
  const symbol = checker.getSymbolAtLocation(name);
  const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const declaration = target?.declarations?.[0];
  return declaration && jsonModuleValue(declaration);
}
