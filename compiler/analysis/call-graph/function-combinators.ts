import ts from 'typescript';
import { packageExportOf, type PackageExport } from './package-exports.ts';
import { unwrap } from './unwrap.ts';

/**
 * What a function made by a library's combinator does when it is called, read
 * without the library's code: lodash's and ramda's `always`/`constant` return
 * the value they were given (computed once, when the function was made), and
 * `once`, `memoize`, `flow`, `pipe`, `compose`… run the functions they were
 * given. So `const deployedAt = R.always(new Date().toISOString())` holds the
 * clock at load, and `const today = _.once(() => new Date()…)` reads it on its
 * first call.
 */
export type Combined =
  | { readonly kind: 'returns'; readonly value: ts.Expression }
  | { readonly kind: 'runs'; readonly functions: readonly ts.Expression[] };

const libraries = /^(lodash|lodash-es|lodash\/fp|underscore|ramda|rambda)$/;
/** A per-method module: `lodash/once`, the `lodash.memoize` package. */
const perMethod = /^lodash(?:-es)?\/(\w+)$|^lodash\.(\w+)$/;

const returning = new Set(['always', 'constant']);
/** Combinators that run every function given (an array given to `flow` stands for its elements). */
const runningAll = new Set(['flow', 'flowRight', 'pipe', 'compose', 'once', 'throttle', 'debounce']);
/** `_.memoize(fn, resolver)` runs `fn` (the resolver only makes the cache key); `R.memoizeWith(keyOf, fn)` its second. */
const runningOne = new Map([
  ['memoize', 0],
  ['memoizeWith', 1],
]);

function combinatorName(taken: PackageExport, member: string | undefined): string | undefined {
  const single = perMethod.exec(taken.module);
  if (single)
    return (taken.exported ?? 'default') === 'default' && member === undefined ? (single[1] ?? single[2]) : undefined;
  if (!libraries.test(taken.module)) return undefined;
  const exported = taken.exported ?? 'default';
  if (member !== undefined) return exported === 'default' ? member : undefined;
  return exported === 'default' ? undefined : exported;
}

/** The library combinator a call makes a function with (`R.always(x)`, `_.once(f)`, `pipe(f, g)`), or undefined. */
function calledCombinator(call: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) {
    const taken = packageExportOf(callee, checker);
    return taken && combinatorName(taken, undefined);
  }
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(unwrap(callee.expression))) return undefined;
  const taken = packageExportOf(unwrap(callee.expression), checker);
  return taken && combinatorName(taken, callee.name.text);
}

/** What calling the function a combinator call made does, or undefined when the call is not one. */
export function combinedBy(call: ts.CallExpression, checker: ts.TypeChecker): Combined | undefined {
  const name = calledCombinator(call, checker);
  if (name === undefined) return undefined;
  const args = call.arguments;
  if (returning.has(name)) return args[0] ? { kind: 'returns', value: args[0] } : undefined;
  const one = runningOne.get(name);
  if (one !== undefined) return args[one] ? { kind: 'runs', functions: [args[one]] } : undefined;
  if (!runningAll.has(name)) return undefined;
  const functions = args.flatMap((a) => {
    const given = unwrap(a);
    return ts.isArrayLiteralExpression(given) ? [...given.elements] : [a];
  });
  return { kind: 'runs', functions };
}
