import ts from 'typescript';
import type { SourceLocation } from '../ir/index.ts';
import { decidingConditions } from './call-graph/deciding-conditions.ts';
import { functionAt } from './call-graph/function-at.ts';
import type { ProgramSource } from './call-graph/program-source.ts';
import { calleeName, resolveCallee } from './call-graph/resolve.ts';
import { filledBuffer } from './call-graph/value-sources.ts';
import { assignments } from './call-graph/variable-writes.ts';
import { describeNondet, locationOfNode, maxCallDepth, type Nondet, type NotFollowed } from './call-graph/nondet.ts';
import { type ValueOrigins } from './call-graph/value-origin.ts';
import { nondeterministicValue, sortedAt } from './clock-and-randomness.ts';
import { describeLocation } from './describe-location.ts';
import { offsetLocation } from './offset-location.ts';
import { parseFunction } from './parse-function.ts';

/** Why a value is not replay-safe: what produced it, and through which field of an earlier step. */
export interface TaintOrigin {
  /** e.g. "Date.now()". */
  readonly what: string;
  /** The record field the value travelled in, when it came from an earlier step. */
  readonly viaField?: string;
  /** The step that introduced it, e.g. ".map at pipelines/x.ts:12:4". */
  readonly introducedBy?: string;
  /** Where the clock or random call is, when the function's own position is known (the lint). */
  readonly location?: SourceLocation;
}

/** Field name → why that field of the record is not replay-safe. */
export type FieldTaint = ReadonlyMap<string, TaintOrigin>;

export interface FunctionTaint {
  /** Non-deterministic values the function's result may depend on (first found). */
  readonly result: TaintOrigin | undefined;
  /**
   * What decides which `return` runs, or which side of a `?:` is returned: for a flatMap, how many records
   * come out (`Math.random() < 0.2 ? [r] : []`), whatever the records hold.
   */
  readonly decidedBy?: TaintOrigin;
  /** For record-producing functions (map, flatMap): which output fields are tainted. */
  readonly outputFields: FieldTaint;
  /** Helpers and names that could not be followed while reading the function. */
  readonly notFollowed: readonly NotFollowed[];
}

/** How the function's first parameter is read: as `e.field`, or through a destructuring pattern. */
interface ParameterBinding {
  readonly name?: string;
  /** Local name → field, from `({ ts, id: eventId }) => …`. */
  readonly destructured: ReadonlyMap<string, string>;
}

function bindParameter(fn: ts.FunctionLikeDeclaration, index: number): ParameterBinding {
  const param = fn.parameters[index];
  if (!param) return { destructured: new Map() };
  if (ts.isIdentifier(param.name)) return { name: param.name.text, destructured: new Map() };
  const destructured = new Map<string, string>();
  if (ts.isObjectBindingPattern(param.name)) {
    for (const element of param.name.elements) {
      if (!ts.isIdentifier(element.name)) continue;
      const field =
        element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
      destructured.set(element.name.text, field);
    }
  }
  return { destructured };
}

/**
 * Reads a function's source and answers: does its result depend on the clock
 * or randomness, directly, through a local variable, or through a tainted
 * field of its input record; and, for functions that build records, which
 * output fields carry such a value.
 */
export function analyzeFunction(
  source: string,
  input: FieldTaint,
  recordParameter = 0,
  at?: SourceLocation,
  programs?: ProgramSource,
): FunctionTaint {
  // Key uses, unfollowed calls and filters ask about the same functions of a pipeline, and a file's pipelines share
  // helpers: with nothing tainted coming in, the answer depends only on the function, so it is read once.
  if (input.size > 0 || !at || !programs) return analyzeUncached(source, input, recordParameter, at, programs);
  let known = analyzed.get(programs);
  if (!known || known.size >= maxAnalyzed) analyzed.set(programs, (known = new Map<string, FunctionTaint>()));
  const key = `${recordParameter}\u0000${at.file}\u0000${at.line}\u0000${at.column}\u0000${source}`;
  let result = known.get(key);
  if (!result) known.set(key, (result = analyzeUncached(source, input, recordParameter, at, programs)));
  return result;
}

/** Answers of analyzeFunction with no tainted input, by the programs they were read from; bounded, for long-lived processes. */
const analyzed = new WeakMap<ProgramSource, Map<string, FunctionTaint>>();
const maxAnalyzed = 5_000;

function analyzeUncached(
  source: string,
  input: FieldTaint,
  recordParameter: number,
  at: SourceLocation | undefined,
  programs: ProgramSource | undefined,
): FunctionTaint {
  // With its file at hand, the function is read where it was written, so helpers, imports and module state can be followed.
  const located = at && programs ? functionAt(programs, at) : undefined;
  const fn = located?.fn ?? parseFunction(source);
  if (!fn?.body) return { result: undefined, outputFields: new Map(input), notFollowed: [] };
  const textStart = fn.getSourceFile().text.indexOf(source);
  const locate = (node: ts.Node): SourceLocation | undefined =>
    located
      ? locationOfNode(node)
      : at && textStart >= 0
        ? offsetLocation(at, source, node.getStart() - textStart)
        : undefined;
  return analyzeBody(fn, { origins: located?.origins, locate, input, recordParameter, depth: 0 });
}

/** How one function is read: where its nodes are (to place a taint), what came in, and how deep in helpers we are. */
interface Reading {
  /** The program's analysis, when the function was found in its file; without it nothing outside the function is followed. */
  readonly origins: ValueOrigins | undefined;
  readonly locate: (node: ts.Node) => SourceLocation | undefined;
  readonly input: FieldTaint;
  readonly recordParameter: number;
  readonly depth: number;
}

/**
 * A value from outside the function, placed where it enters: the first helper call or name on its path —
 * or, for a function a factory was handed and its closure calls, the argument that handed it over (the
 * factory is not wrong; the call that gives it the clock is).
 */
const described = (found: Nondet): TaintOrigin => ({
  what: describeNondet(found),
  location: locationOfNode((found.via.find((h) => h.how === 'passed as') ?? found.via[0])?.node ?? found.at),
});

function analyzeBody(fn: ts.FunctionLikeDeclaration, reading: Reading): FunctionTaint {
  const { origins, locate, input, recordParameter } = reading;
  if (!fn.body) return { result: undefined, outputFields: new Map(input), notFollowed: [] };
  const notFollowed: NotFollowed[] = [];
  const ownNames = origins ? namesDeclaredIn(fn) : new Set<string>();
  const fromOutside = (node: ts.Node): TaintOrigin | undefined => {
    if (ts.isIdentifier(node) && ownNames.has(node.text)) return undefined; // a parameter or a local: read here
    const found = origins?.shallowOrigin(node, fn, notFollowed);
    return found && described(found);
  };
  const param = bindParameter(fn, recordParameter);
  const taintedLocals = new Map<string, TaintOrigin>();
  const fieldRead = fieldReader(input, param, taintedLocals);

  /** The first clock/random value or tainted read anywhere inside `node`. */
  const taintOf = (node: ts.Node): TaintOrigin | undefined => {
    const what = nondeterministicValue(node, origins?.constValue);
    if (what) {
      // A chain sorted by chance is placed at its `.sort`, not at the start of the chain.
      const location = locate(sortedAt(node) ?? node);
      return location ? { what, location } : { what };
    }
    const read = fieldRead(node);
    if (read) return read;
    // `opts.unique ? \`${id}#${++issued}\` : id` with an option no call sets: only the branch that runs.
    if (ts.isConditionalExpression(node) && origins?.neverTruthy(node.condition)) return taintOf(node.whenFalse);
    // `config.region` of a const object outside: that property alone, not its siblings.
    const property =
      ts.isPropertyAccessExpression(node) && !(ts.isIdentifier(node.expression) && ownNames.has(node.expression.text))
        ? origins?.propertyOrigin(node, notFollowed)
        : undefined;
    if (property) return property.origin && described(property.origin);
    return fromOutside(node) ?? ts.forEachChild(node, taintOf);
  };
  // `const [, arrival] = stamps(e)`: a name taken by position from a generator of the program holds what it yields there.
  if (origins) for (const [name, origin] of generatorLocals(fn, origins, notFollowed)) taintedLocals.set(name, origin);
  // The parameters too: a default given in a destructuring (`({ sentAt = Date.now() }) => sentAt`) is what the name holds.
  taintLocals(fn, taintOf, taintedLocals);
  const returned = returnedExpressions(fn);
  // The conditions choosing which `return` runs decide the result too: `if (Math.random() < 0.1) return false`.
  const deciding = [...decidingConditions(fn), ...returned.flatMap(chosenBy), ...returned.flatMap(countArguments)];
  const decidedBy =
    deciding.map(taintOf).find((t) => t !== undefined) ?? helperDecidedBy(returned, reading, notFollowed);
  const result = decidedBy ?? returned.map(taintOf).find((t) => t !== undefined);
  const fromHelper = (call: ts.Expression) =>
    helperRecordFields(call, param, reading, notFollowed) ?? spreadObjectFields(call, reading, taintOf, notFollowed);
  const recordFields = () => requiredFields(fn.parameters[recordParameter], origins);
  const outputFields = outputFieldTaint(fn, returned, input, { param, recordFields }, taintOf, fromHelper);
  return { result, ...(decidedBy ? { decidedBy } : {}), outputFields, notFollowed };
}

/** Names the function's own array patterns take from generators of the program, with what the yield at their position carries. */
function generatorLocals(
  fn: ts.FunctionLikeDeclaration,
  origins: ValueOrigins,
  notFollowed: NotFollowed[],
): Map<string, TaintOrigin> {
  const found = new Map<string, TaintOrigin>();
  const visit = (node: ts.Node): void => {
    if (ts.isBindingElement(node) && ts.isIdentifier(node.name) && ts.isArrayBindingPattern(node.parent)) {
      const origin = origins.destructuredOrigin(node, notFollowed)?.origin;
      if (origin) found.set(node.name.text, described(origin));
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The conditions of the `?:` a returned expression picks its value with (not those of nested functions). */
function chosenBy(returned: ts.Expression): ts.Expression[] {
  const found: ts.Expression[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isConditionalExpression(node)) found.push(node.condition);
    ts.forEachChild(node, walk);
  };
  walk(returned);
  return found;
}

/** Every parameter and local the function declares (destructured ones included): names read here, not from outside. */
function namesDeclaredIn(fn: ts.FunctionLikeDeclaration): Set<string> {
  const names = new Set<string>();
  const declare = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) declare(element.name);
  };
  const collectNames = (node: ts.Node): void => {
    if (ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isBindingElement(node)) declare(node.name);
    ts.forEachChild(node, collectNames);
  };
  collectNames(fn);
  return names;
}

/** The taint of a read of the record (`e.f`, `e['f']`, a destructured field) or of a tainted local. */
function fieldReader(
  input: FieldTaint,
  param: ParameterBinding,
  taintedLocals: ReadonlyMap<string, TaintOrigin>,
): (node: ts.Node) => TaintOrigin | undefined {
  return (node) => {
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === param.name
    ) {
      return input.get(node.name.text);
    }
    if (
      ts.isElementAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === param.name &&
      ts.isStringLiteral(node.argumentExpression)
    ) {
      return input.get(node.argumentExpression.text);
    }
    if (ts.isIdentifier(node)) {
      const local = taintedLocals.get(node.text);
      if (local) return local;
      const field = param.destructured.get(node.text);
      if (field !== undefined) return input.get(field);
    }
    return undefined;
  };
}

/**
 * Local variables given a tainted value, when declared or by a later `x = …` (a `let` reassigned), are tainted;
 * repeat until nothing changes.
 */
function taintLocals(
  body: ts.Node,
  taintOf: (node: ts.Node) => TaintOrigin | undefined,
  taintedLocals: Map<string, TaintOrigin>,
): void {
  const sources: [name: string, value: ts.Expression, elements?: boolean][] = [];
  const collect = (node: ts.Node): void => {
    // `xs.map((x) => …)`: the callback's parameter is an element of the receiver.
    const element = elementParameter(node);
    if (element) sources.push([element.name, element.receiver, true]);
    if (
      (ts.isVariableDeclaration(node) || (ts.isBindingElement(node) && node.initializer)) &&
      ts.isIdentifier(node.name) &&
      node.initializer
    )
      sources.push([node.name.text, node.initializer]);
    else if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && assignments.has(node.operatorToken.kind))
      sources.push([node.left.text, node.right]);
    else if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer))
      for (const d of node.initializer.declarations)
        if (ts.isIdentifier(d.name)) sources.push([d.name.text, node.expression]);
    // `crypto.getRandomValues(buf)` writes random bytes into `buf`.
    const filled = filledBuffer(node);
    if (filled) sources.push([filled.text, node as ts.Expression]);
    ts.forEachChild(node, collect);
  };
  collect(body);
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, value, elements] of sources) {
      if (taintedLocals.has(name)) continue;
      const origin = elements ? elementsTaint(value, taintOf) : taintOf(value);
      if (origin) {
        taintedLocals.set(name, origin);
        changed = true;
      }
    }
  }
}

/** Array methods that hand their callback each element of the receiver, first. */
const elementMethods = /^(map|flatMap|forEach|filter|find|findLast|some|every)$/;

/** `x` and `xs` of `xs.map((x) => …)`, for an inline callback whose first parameter is a plain name. */
function elementParameter(node: ts.Node): { readonly name: string; readonly receiver: ts.Expression } | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  if (!elementMethods.test(node.expression.name.text)) return undefined;
  const callback = node.arguments[0];
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return undefined;
  const first = callback.parameters[0]?.name;
  return first && ts.isIdentifier(first) ? { name: first.text, receiver: node.expression.expression } : undefined;
}

/**
 * What the elements of an array expression carry: its own taint, read along its chain of calls
 * (`[...v.arms].sort(() => Math.random() - 0.5).slice(0, 1)`: a random order) and their non-function
 * arguments, not what callbacks along it compute (`xs.map((x) => ({ ...x, at: Date.now() }))` stamps a field,
 * which the elements' fields carry, not the elements' choice).
 */
function elementsTaint(
  node: ts.Expression,
  taintOf: (node: ts.Node) => TaintOrigin | undefined,
): TaintOrigin | undefined {
  if (nondeterministicValue(node)) return taintOf(node);
  const callee = ts.isCallExpression(node) ? node.expression : undefined;
  if (node.kind === ts.SyntaxKind.CallExpression && callee && ts.isPropertyAccessExpression(callee)) {
    const args = (node as ts.CallExpression).arguments.filter((a) => !ts.isFunctionLike(a));
    return args.map(taintOf).find((t) => t !== undefined) ?? elementsTaint(callee.expression, taintOf);
  }
  if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node))
    return elementsTaint(node.expression, taintOf);
  return taintOf(node);
}

/**
 * `stamp(e)`, with `e` the record: the record a helper of the program builds
 * from it, field by field, read like the step's own function (to a bound
 * depth). A field the helper stamps itself is placed at this call, where the
 * value enters the pipeline, and says which helper and what it read.
 * Undefined when the call is not such a helper: the caller reads it as before.
 */
function helperRecordFields(
  call: ts.Expression,
  param: ParameterBinding,
  reading: Reading,
  notFollowed: NotFollowed[],
): FieldTaint | undefined {
  const inner = ts.isAwaitExpression(call) ? call.expression : call;
  if (!reading.origins || !ts.isCallExpression(inner) || reading.depth >= maxCallDepth) return undefined;
  const index = inner.arguments.findIndex((a) => ts.isIdentifier(a) && a.text === param.name);
  if (param.name === undefined || index < 0) return undefined;
  const callee = resolveCallee(inner, reading.origins.checker);
  if (callee.kind !== 'function' || !callee.node.body) return undefined;
  const read = analyzeBody(callee.node, {
    ...reading,
    locate: locationOfNode,
    recordParameter: index,
    depth: reading.depth + 1,
  });
  notFollowed.push(...read.notFollowed);
  const name = calleeName(inner.expression)?.getText() ?? 'a helper';
  const here = reading.locate(inner);
  return new Map(
    [...read.outputFields].map(([field, origin]) => [
      field,
      // Carried from the input unchanged: it keeps the place and path it already has.
      [...reading.input.values()].includes(origin)
        ? origin
        : {
            what: `${origin.what} via \`${name}()\`${origin.location ? ` (at ${describeLocation(origin.location)})` : ''}`,
            ...(here ? { location: here } : {}),
          },
    ]),
  );
}

function returnedExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const found: ts.Expression[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return; // returns of nested functions are not ours
    if (ts.isReturnStatement(node) && node.expression) found.push(node.expression);
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(fn.body, walk);
  return found;
}

/** `const name = …` declared in `fn` itself (not in nested functions): a returned name stands for that value. */
function constRecords(fn: ts.FunctionLikeDeclaration): Map<string, ts.Expression> {
  const found = new Map<string, ts.Expression>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isVariableDeclarationList(node.parent) &&
      node.parent.flags & ts.NodeFlags.Const
    )
      found.set(node.name.text, node.initializer);
    ts.forEachChild(node, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return found;
}

/**
 * Output fields of a record-building function. An object literal's property
 * is tainted when its value is; a spread of the input (`...e`) carries the
 * input's taint; assignments `e.ts = Date.now()` taint that field; anything
 * we cannot see through keeps the input's taint.
 */
function outputFieldTaint(
  fn: ts.FunctionLikeDeclaration,
  returned: readonly ts.Expression[],
  input: FieldTaint,
  { param, recordFields }: { param: ParameterBinding; recordFields: () => ReadonlySet<string> | undefined },
  taintOf: (node: ts.Node) => TaintOrigin | undefined,
  fromHelper: (call: ts.Expression) => FieldTaint | undefined,
): FieldTaint {
  const out = new Map<string, TaintOrigin>();
  let sawObjectLiteral = false;
  const records = constRecords(fn);
  const visitLiteral = (node: ts.Node): void => {
    // `const out = stamp(e); return out;`: the record is what the const was given.
    if (ts.isIdentifier(node)) {
      const given = records.get(node.text);
      records.delete(node.text);
      if (given) visitLiteral(given);
      return;
    }
    // `return stamp(e)`: the record the helper builds, as if its literal were written here.
    const built = ts.isExpression(node) ? fromHelper(node) : undefined;
    if (built) {
      sawObjectLiteral = true;
      for (const [f, t] of built) out.set(f, t);
      return;
    }
    if (ts.isObjectLiteralExpression(node)) {
      sawObjectLiteral = true;
      for (const prop of node.properties) {
        if (ts.isSpreadAssignment(prop)) {
          if (ts.isIdentifier(prop.expression) && prop.expression.text === param.name) {
            // `{ ...defaults(), ...e }`: each field the record always has overrides what came before it.
            // Of a record whose type is not known (any), every field may: nothing before it is kept. Asked only
            // when a field came before: typing the record's parameter types the whole DSL chain (the lint's dearest call).
            const always = out.size > 0 ? recordFields() : undefined;
            for (const f of [...out.keys()])
              if (!input.has(f) && (always === undefined || always.has(f))) out.delete(f);
            for (const [f, t] of input) out.set(f, t);
          }
          for (const [f, t] of fromHelper(prop.expression) ?? []) out.set(f, t);
          continue;
        }
        const name =
          prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) ? prop.name.text : undefined;
        if (name === undefined) continue;
        const valueNode = ts.isPropertyAssignment(prop)
          ? prop.initializer
          : ts.isShorthandPropertyAssignment(prop)
            ? prop.name
            : undefined;
        const origin = valueNode ? taintOf(valueNode) : undefined;
        if (origin) out.set(name, origin);
        else out.delete(name);
      }
      return;
    }
    ts.forEachChild(node, visitLiteral);
  };
  returned.forEach(visitLiteral);
  if (!sawObjectLiteral) for (const [f, t] of input) out.set(f, t);
  if (fn.body) taintAssignedFields(fn.body, taintOf, out);
  return out;
}

/** `e.ts = Date.now()` anywhere in the body taints that field of the output. */
function taintAssignedFields(
  body: ts.Node,
  taintOf: (node: ts.Node) => TaintOrigin | undefined,
  out: Map<string, TaintOrigin>,
): void {
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left)
    ) {
      const origin = taintOf(node.right);
      if (origin) out.set(node.left.name.text, origin);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
}

/** Fields a record parameter always has, by its type (none without the program's types); undefined when it is `any`. */
function requiredFields(
  param: ts.ParameterDeclaration | undefined,
  origins: ValueOrigins | undefined,
): Set<string> | undefined {
  if (!param || !origins) return new Set();
  const type = origins.checker.getTypeAtLocation(param);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  return new Set(
    type
      .getProperties()
      .filter((p) => (p.flags & ts.SymbolFlags.Optional) === 0)
      .map((p) => p.name),
  );
}

/**
 * `...stampNow()`, `...{ ts: Date.now() }` spread into the record a step returns: the fields of the object
 * literal the expression is, or a helper of the program returns, each with what its value carries. A
 * helper's field is placed at the call that brings it. Undefined for anything else.
 */
function spreadObjectFields(
  expression: ts.Expression,
  reading: Reading,
  taintOf: (node: ts.Node) => TaintOrigin | undefined,
  notFollowed: NotFollowed[],
): FieldTaint | undefined {
  const node = ts.isParenthesizedExpression(expression) ? expression.expression : expression;
  if (!ts.isSpreadAssignment(node.parent)) return undefined;
  if (ts.isObjectLiteralExpression(node)) return literalFields(node, taintOf);
  const origins = reading.origins;
  if (!origins || !ts.isCallExpression(node) || reading.depth >= maxCallDepth) return undefined;
  const callee = resolveCallee(node, origins.checker);
  if (callee.kind !== 'function') return undefined;
  const name = calleeName(node.expression)?.getText() ?? 'a helper';
  const here = reading.locate(node);
  const fromHelper = (value: ts.Node): TaintOrigin | undefined => {
    const found = origins.originOf(value, notFollowed, reading.depth + 1);
    if (!found) return undefined;
    const inner = described(found);
    return {
      what: `${inner.what} via \`${name}()\`${inner.location ? ` (at ${describeLocation(inner.location)})` : ''}`,
      ...(here ? { location: here } : {}),
    };
  };
  const fields = new Map<string, TaintOrigin>();
  for (const returned of returnedExpressions(callee.node)) {
    const literal = ts.isParenthesizedExpression(returned) ? returned.expression : returned;
    if (ts.isObjectLiteralExpression(literal))
      for (const [f, t] of literalFields(literal, fromHelper)) fields.set(f, t);
  }
  return fields;
}

/** Each named property of an object literal whose value carries something non-deterministic. */
function literalFields(
  literal: ts.ObjectLiteralExpression,
  taintOf: (node: ts.Node) => TaintOrigin | undefined,
): Map<string, TaintOrigin> {
  const fields = new Map<string, TaintOrigin>();
  for (const p of literal.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    const origin = taintOf(p.initializer);
    if (origin) fields.set(p.name.text, origin);
  }
  return fields;
}

/**
 * What sets how many items a returned array has: `Array.from({ length: n }, …)`, `new Array(n)`,
 * `xs.slice(a, b)` — for a flatMap, how many records come out (not those of nested functions).
 */
function countArguments(returned: ts.Expression): ts.Expression[] {
  const found: ts.Expression[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression.getText().replace(/\s+/g, '');
      const args = node.arguments ?? [];
      const first = args[0];
      if (callee === 'Array.from' && first && ts.isObjectLiteralExpression(first))
        for (const p of first.properties) {
          if (ts.isPropertyAssignment(p) && p.name.getText() === 'length') found.push(p.initializer);
          if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'length') found.push(p.name);
        }
      if (callee === 'Array' && first) found.push(first);
      if (/\.(slice|splice)$/.test(callee)) found.push(...args);
    }
    ts.forEachChild(node, walk);
  };
  walk(returned);
  return found;
}

/**
 * `(e) => topTags(e)`: the count a helper of the program returns is decided in its body — by what
 * chooses its `return`, or sets its array's length (`slice(0, keep)` with a random `keep`). Read one
 * level down; placed at the call.
 */
function helperDecidedBy(
  returned: readonly ts.Expression[],
  reading: Reading,
  notFollowed: NotFollowed[],
): TaintOrigin | undefined {
  const origins = reading.origins;
  if (!origins || reading.depth >= maxCallDepth) return undefined;
  for (const expression of returned) {
    const call = ts.isAwaitExpression(expression) ? expression.expression : expression;
    if (!ts.isCallExpression(call)) continue;
    const callee = resolveCallee(call, origins.checker);
    if (callee.kind !== 'function' || !callee.node.body) continue;
    const inner = returnedExpressions(callee.node);
    const deciding = [...decidingConditions(callee.node), ...inner.flatMap(chosenBy), ...inner.flatMap(countArguments)];
    for (const node of deciding) {
      const found = origins.originOf(node, notFollowed, reading.depth + 1);
      if (!found) continue;
      const inside = described(found);
      const name = calleeName(call.expression)?.getText() ?? 'a helper';
      const here = reading.locate(call);
      return {
        what: `${inside.what} via \`${name}()\`${inside.location ? ` (at ${describeLocation(inside.location)})` : ''}`,
        ...(here ? { location: here } : {}),
      };
    }
  }
  return undefined;
}
