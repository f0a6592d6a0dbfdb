import ts from 'typescript';
import { unwrap } from './resolve.ts';
import { isLibraryFile } from './package-exports.ts';

/** Packages whose exports call their function again when it throws: a write inside runs more than once. */
const retryModules: ReadonlySet<string> = new Set([
  'p-retry',
  'async-retry',
  'promise-retry',
  'exponential-backoff',
  'retry',
  'ts-retry-promise',
  'async',
  'cockatiel',
]);

/** Names retry helpers go by, for a callee whose declaration cannot be read (an unknown or uninstalled package). */
const retryNames =
  /^(pRetry|retry|asyncRetry|promiseRetry|backOff|retryAsync|withRetry|withRetries|retryable|attempt)$/;

/** Could this file call an undeclared retry helper by its name? A cheap filter before resolving its calls. */
export const mayCallRetryByName = (text: string) =>
  /\b(pRetry|retry|asyncRetry|promiseRetry|backOff|retryAsync|withRetry|withRetries|retryable|attempt)\s*\(/.test(text);

/** How many aliases (`const again = pRetry`, re-exports) are followed to the import. */
const maxAliasHops = 8;

const quoted = [...retryModules].flatMap((m) => [`'${m}'`, `"${m}"`]);

/** Does any of these files name a retry package? Without one, no call needs the (costlier) alias walk. */
export function mentionsRetryPackage(files: readonly ts.SourceFile[]): boolean {
  return files.some((f) => quoted.some((q) => f.text.includes(q)));
}

/** The module an import, an `export … from`, or a `require('…')` initializer names. */
function moduleNamedBy(declaration: ts.Node): string | undefined {
  const from =
    ts.findAncestor(declaration, ts.isImportDeclaration)?.moduleSpecifier ??
    ts.findAncestor(declaration, ts.isExportDeclaration)?.moduleSpecifier;
  if (from && ts.isStringLiteral(from)) return from.text;
  const init = ts.isVariableDeclaration(declaration) && declaration.initializer && unwrap(declaration.initializer);
  if (
    init &&
    ts.isCallExpression(init) &&
    ts.isIdentifier(init.expression) &&
    init.expression.text === 'require' &&
    init.arguments[0] &&
    ts.isStringLiteral(init.arguments[0])
  )
    return init.arguments[0].text;
  return undefined;
}

/**
 * The retry package a name stands for, by whatever local name: imports,
 * renames, re-exports through the program's modules, `require`, and const
 * aliases (`const again = pRetry`). Undefined when it is not one.
 */
export function retryPackageOf(name: ts.Identifier, checker: ts.TypeChecker): string | undefined {
  let symbol = checker.getSymbolAtLocation(name);
  for (let hop = 0; symbol && hop < maxAliasHops; hop++) {
    const declaration = symbol.declarations?.[0];
    if (!declaration) return undefined;
    const from = moduleNamedBy(declaration);
    if (from !== undefined && retryModules.has(from)) return from;
    if (symbol.flags & ts.SymbolFlags.Alias) {
      symbol = checker.getImmediateAliasedSymbol(symbol);
      continue;
    }
    const init =
      ts.isVariableDeclaration(declaration) &&
      declaration.parent.flags & ts.NodeFlags.Const &&
      declaration.initializer &&
      unwrap(declaration.initializer);
    // `const policy = retry(handleAll, …)`: an object a retry package made, whose methods run callbacks again.
    const made = init && ts.isCallExpression(init) ? unwrap(init.expression) : undefined;
    const next = init && ts.isIdentifier(init) ? init : made && ts.isIdentifier(made) ? made : undefined;
    if (!next) return undefined;
    symbol = checker.getSymbolAtLocation(next);
  }
  return undefined;
}

/**
 * Is this call a retry package's helper (`pRetry(fn)`, `again(fn)` for an
 * alias of it, `async.retry(opts, fn)`)? Also a callee nobody declared that
 * goes by a retry helper's name. A function of the program is not judged
 * here: its body shows whether it retries (retry-shape.ts).
 */
export function isRetryPackageCall(call: ts.CallExpression, checker: ts.TypeChecker, anyPackage: boolean): boolean {
  const callee = unwrap(call.expression);
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!name) return false;
  if (anyPackage) {
    if (ts.isIdentifier(callee) && retryPackageOf(callee, checker)) return true;
    const receiver = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
    if (receiver && ts.isIdentifier(receiver) && retryPackageOf(receiver, checker)) return true;
    if (receiver && madeByRetryPackageInField(receiver, checker)) return true;
  }
  if (!retryNames.test(name.text)) return false;
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  // Declared nowhere the checker can see, or by a library: judged by its name.
  return !declaration || isLibraryFile(declaration.getSourceFile());
}

/**
 * `this.resilience.execute(…)` with `private readonly resilience = wrap(retry(handleAll, …), timeout(…))`: a
 * policy a retry package made, held by a field of the class (its initializer), as `const policy = retry(…)` is.
 */
function madeByRetryPackageInField(receiver: ts.Expression, checker: ts.TypeChecker): boolean {
  if (!ts.isPropertyAccessExpression(receiver) || unwrap(receiver.expression).kind !== ts.SyntaxKind.ThisKeyword)
    return false;
  const field = checker.getSymbolAtLocation(receiver.name)?.valueDeclaration;
  const init = field && ts.isPropertyDeclaration(field) && field.initializer && unwrap(field.initializer);
  const made = init && ts.isCallExpression(init) ? unwrap(init.expression) : undefined;
  return made !== undefined && ts.isIdentifier(made) && retryPackageOf(made, checker) !== undefined;
}
