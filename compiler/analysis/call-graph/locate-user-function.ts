import ts from 'typescript';
import type { SourceLocation } from '../../ir/index.ts';
import { functionByText, saysLoadedText } from './function-by-text.ts';
import { functionTextStart, nodesStartingAt } from './function-at.ts';
import type { ProgramSource } from './program-source.ts';
import { isFunctionNode, resolveName } from './resolve.ts';
import { returnedExpressions } from './returned-expressions.ts';

/** Which function of a DSL call: its n-th argument, or a property of its options (`key.day`, `id`). */
export type FunctionPick = { readonly argument: number } | { readonly property: readonly string[] };

function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))
    node = node.expression;
  return node;
}

/** How many factories deep a function made by a call is looked for (`makeKey()` returning `(e) => …`). */
const maxFactoryDepth = 3;

/** A name's value as written: a const's initializer, a function declaration, the function a factory call returns. */
function written(node: ts.Expression, checker: ts.TypeChecker, depth = 0): ts.Node {
  const inner = unwrap(node);
  // `store.write.bind(store)` runs `store.write`.
  if (
    ts.isCallExpression(inner) &&
    ts.isPropertyAccessExpression(inner.expression) &&
    inner.expression.name.text === 'bind'
  )
    return written(inner.expression.expression, checker, depth);
  if (ts.isCallExpression(inner)) return madeBy(inner, checker, depth) ?? inner;
  // `writer.addHits`, `writer` a module of the program (`import * as writer`): the member it names.
  const name = ts.isPropertyAccessExpression(inner) ? inner.name : inner;
  if (!ts.isIdentifier(name)) return inner;
  const resolved = resolveName(name, checker);
  if (resolved.kind === 'function') return resolved.node;
  if (resolved.kind === 'variable' && resolved.node.initializer)
    return written(resolved.node.initializer, checker, depth);
  return inner;
}

/**
 * `groupBy(makeKey())`: the function a factory of the program returns, when
 * it returns one function (written there, or named). The key function then
 * is read where it was written, with what it captures from the factory (a
 * salt, a default parameter), as the lint reads it.
 */
function madeBy(call: ts.CallExpression, checker: ts.TypeChecker, depth: number): ts.Node | undefined {
  if (depth >= maxFactoryDepth) return undefined;
  const callee = unwrap(call.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  const factory = ts.isIdentifier(name) ? resolveName(name, checker) : undefined;
  if (factory?.kind !== 'function') return undefined;
  const returned = returnedExpressions(factory.node);
  if (returned.length !== 1) return undefined;
  const made = written(returned[0]!, checker, depth + 1);
  return isFunctionNode(made) ? made : undefined;
}

/** `Object.assign({}, base, { write })`: the objects merged, the last first (its properties win). */
function assignedParts(node: ts.Node): readonly ts.Expression[] | undefined {
  if (!ts.isCallExpression(node) || unwrap(node.expression).getText().replace(/\s+/g, '') !== 'Object.assign')
    return undefined;
  return [...node.arguments].reverse();
}

function property(object: ts.Node, name: string, checker: ts.TypeChecker): ts.Node | undefined {
  const parts = assignedParts(object);
  if (parts) return parts.map((part) => property(written(part, checker), name, checker)).find((found) => found);
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  // The last property of that name wins, also one a spread brings (`{ ...base, write }`).
  for (const p of [...object.properties].reverse()) {
    if (ts.isSpreadAssignment(p)) {
      const spread = property(written(p.expression, checker), name, checker);
      if (spread) return spread;
      continue;
    }
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) || p.name.text !== name) continue;
    if (ts.isPropertyAssignment(p)) return written(p.initializer, checker);
    if (ts.isMethodDeclaration(p)) return p;
    if (ts.isShorthandPropertyAssignment(p)) return written(p.name, checker);
  }
  return undefined;
}

/** The DSL call whose method name (or callee) starts at `at`: what `check` records as a step's or sink's place. */
function callAt(file: ts.SourceFile, at: SourceLocation): ts.CallExpression | undefined {
  for (const node of nodesStartingAt(file, at)) {
    const call = ts.isIdentifier(node) && ts.isPropertyAccessExpression(node.parent) ? node.parent.parent : node;
    if (ts.isCallExpression(call)) return call;
  }
  return undefined;
}

/**
 * Where the user function given to a DSL call was written. `check` runs the
 * pipeline, so its functions carry their text but no position; their DSL
 * call's position is known, and the call is read back from its file. The
 * result is the position the lint gives the same function, so both then
 * read it, and follow its helpers, the same way. A function the call was
 * handed through a parameter (`stream.groupBy(fn)` in a step factory) is the
 * one function of the program that says what the loaded one says (`text`).
 */
export function userFunctionLocation(
  programs: ProgramSource,
  at: SourceLocation | undefined,
  pick: FunctionPick,
  text?: string,
): SourceLocation | undefined {
  if (!at) return undefined;
  const program = programs.programOf(at.file);
  const file = program?.getSourceFile(at.file);
  const call = file ? callAt(file, at) : undefined;
  if (!program || !call) return undefined;
  const checker = program.getTypeChecker();
  let node: ts.Node | undefined;
  if ('argument' in pick) {
    const argument = call.arguments[pick.argument];
    node = argument && written(argument, checker);
  } else {
    node = call.arguments[0] && written(call.arguments[0], checker);
    for (const name of pick.property) node = node && property(node, name, checker);
  }
  let fn = node && isFunctionNode(node) ? node : undefined;
  // `groupBy(this.keyFn)` of a field a builder's `withKey(fn)` set: the field's initializer is not what runs.
  if (text !== undefined && (!fn || saysLoadedText(fn, text) === false)) fn = functionByText(program, text) ?? fn;
  if (!fn) return undefined;
  const home = fn.getSourceFile();
  const { line, character } = home.getLineAndCharacterOfPosition(functionTextStart(fn, home));
  return { file: home.fileName, line: line + 1, column: character + 1 };
}
