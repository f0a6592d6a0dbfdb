import ts from 'typescript';
import {
  formatsCurrentTime,
  isDateTimeFormat,
  kindOf,
  nondeterministicCallee,
  nondeterministicValue,
} from '../clock-and-randomness.ts';
import { DefaultParameters } from './default-parameters.ts';
import { advancedGenerator } from './generator-state.ts';
import { generatorPosition } from './generator-positions.ts';
import { chosenValues, destructuredFrom, destructuredMemberName, heldCallee } from './held-values.ts';
import {
  calleeName,
  isConst,
  isFunctionNode,
  resolveCallee,
  resolveName,
  unwrap,
  type FunctionNode,
  type Resolved,
} from './resolve.ts';
import { staticFieldOf, staticFieldValues } from './static-fields.ts';
import { constructorSetFields, instanceFieldValues } from './instance-fields.ts';
import { literalGetter, propertyValue } from './object-property.ts';
import { packageExportOf } from './package-exports.ts';
import { packageNondeterminism, randomIdFactory } from './package-nondeterminism.ts';
import { combinedBy, type Combined } from './function-combinators.ts';
import { ParameterArguments } from './call-sites.ts';
import { callbackArguments } from './callback-arguments.ts';
import { declaredInterface, implementationsFor, inferredInterface, type Implementations } from './implementations.ts';
import { capturedParameter, passedCallees } from './passed-values.ts';
import { decidingConditions } from './deciding-conditions.ts';
import {
  capturedStateWrite,
  changingSetMembership,
  collectionHistory,
  isIncrement,
  lookedUpValues,
  outlivesCalls,
} from './outliving-state.ts';
import { getterOf, iteratorGenerator, loopSource, programGetterNames, yieldedExpressions } from './value-sources.ts';
import { returnedFunction } from './returned-function.ts';
import { Overrides } from './overrides.ts';
import { diskPrograms } from './program-source.ts';
import { requiredFunction, requiredFunctionIn } from './required-modules.ts';
import { conversionMethod } from './conversions.ts';
import { boundCall } from './indirect-calls.ts';
import { writtenAtLoad } from './load-time-writes.ts';
import { optionNeverSet } from './unset-options.ts';
import { invokedBy } from './invoked-by.ts';
import { maxCallDepth, type FunctionSummary, type Hop, type Nondet, type NotFollowed } from './nondet.ts';
import { returnedExpressions } from './returned-expressions.ts';
import { lineOf, ModuleStateOrigins } from './module-state-origin.ts';
import { assignments, VariableWrites, writtenTarget } from './variable-writes.ts';

const globalNames = new Set(Object.getOwnPropertyNames(globalThis));

/** Is this identifier a read of a variable (not a property name, a declaration's name or a type)? */
function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (ts.isQualifiedName(parent)) return false;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isBindingElement(parent)) &&
    parent.name === id
  )
    return false;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassDeclaration(parent)) &&
    parent.name === id
  )
    return false;
  return !(ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent));
}

/**
 * Answers "can this value differ on a replay?" across functions and modules:
 * clock, randomness and the machine read directly, through helpers (summaries
 * cached per function), through local and module variables, and module state
 * changed by `seq++`. Never runs user code; unknown callees are noted.
 */
export class ValueOrigins {
  readonly #summaries = new Map<FunctionNode, FunctionSummary>();
  readonly #inProgress = new Set<FunctionNode>();
  readonly #variableWrites: VariableWrites;
  readonly #state: ModuleStateOrigins;
  readonly #defaults: DefaultParameters | undefined;
  readonly #passed: ParameterArguments | undefined;
  readonly #implementations: Implementations | undefined;
  readonly #overrides: Overrides | undefined;
  /** The names a getter of the program has (see programGetterNames); undefined: any name may. */
  readonly #getterNames: ReadonlySet<string> | undefined;
  /** The names of fields a constructor of the program sets (see constructorSetFields). */
  readonly #constructorSet: ReadonlySet<string> | undefined;

  constructor(
    readonly checker: ts.TypeChecker,
    readonly program?: ts.Program,
  ) {
    this.#variableWrites = new VariableWrites(checker);
    this.#state = new ModuleStateOrigins(checker);
    this.#defaults = program && new DefaultParameters(program, checker);
    this.#passed = program && new ParameterArguments(program, checker);
    this.#implementations = program && implementationsFor(program);
    this.#overrides = program && new Overrides(program, checker);
    this.#getterNames = program && programGetterNames(program);
    this.#constructorSet = program && constructorSetFields(program);
  }

  /** What the program passes for a parameter at each call of its function (none without the program). */
  readonly passedFor = (parameter: ts.ParameterDeclaration): readonly ts.Expression[] =>
    this.#passed?.of(parameter) ?? [];

  /** A condition on an option no call of the program sets (`opts.unique` of `opts = {}`): its branch never runs. */
  readonly neverTruthy = (condition: ts.Expression): boolean =>
    this.#passed !== undefined &&
    optionNeverSet(condition, this.checker, { passedFor: this.passedFor, defaultUsed: this.#defaultUsed });

  /** Whether a parameter may hold its default: some caller leaves it out (without the program, assume one does). */
  readonly #defaultUsed = (parameter: ts.ParameterDeclaration): boolean => this.#defaults?.mayBeUsed(parameter) ?? true;

  /** What a const name holds (`SHORT_DATE` imported from another module): its initializer, for nondeterministicValue. */
  readonly constValue = (name: ts.Identifier): ts.Expression | undefined => {
    const resolved = resolveName(name, this.checker);
    const init = resolved.kind === 'variable' && isConst(resolved.node) ? resolved.node.initializer : undefined;
    return init && unwrap(init);
  };

  /** What a function returns, read once and cached; a recursive call reads as "nothing more". */
  summary(fn: FunctionNode, depth = 0): FunctionSummary {
    const cached = this.#summaries.get(fn);
    if (cached) return cached;
    if (this.#inProgress.has(fn)) return { notFollowed: [] };
    this.#inProgress.add(fn);
    const notFollowed: NotFollowed[] = [];
    let returns: Nondet | undefined;
    // What it returns, and the conditions choosing which `return` runs (`if (Math.random() < p) return false`);
    // of a generator, what it yields, which whoever iterates it takes.
    const yielded = fn.asteriskToken ? yieldedExpressions(fn) : [];
    for (const expression of [...returnedExpressions(fn), ...yielded, ...decidingConditions(fn)]) {
      returns ??= this.originOf(expression, notFollowed, depth);
    }
    this.#inProgress.delete(fn);
    const summary = { ...(returns ? { returns } : {}), notFollowed };
    this.#summaries.set(fn, summary);
    return summary;
  }

  /** The first non-deterministic value `node` may carry; what could not be followed is added to `notes`. */
  originOf(node: ts.Node, notes: NotFollowed[], depth = 0, seen: Set<ts.Node> = new Set()): Nondet | undefined {
    if (ts.isTypeNode(node)) return undefined;
    const what = nondeterministicValue(node, this.constValue);
    if (what) return { what, kind: kindOf(what), at: node, via: [] };
    if (isIncrement(node) && ts.isIdentifier(node.operand)) return this.#state.stateWrite(node.operand, node);
    if (ts.isBinaryExpression(node) && assignments.has(node.operatorToken.kind) && ts.isIdentifier(node.left)) {
      return this.#state.stateWrite(node.left, node) ?? this.originOf(node.right, notes, depth, seen);
    }
    const field =
      this.#state.staticField(node) ??
      this.#staticValue(node, notes, depth, seen) ??
      this.#fieldInitializer(node, notes, depth, seen) ??
      this.#state.sharedField(node);
    if (field) return field;
    const iterated = this.#iteratedResult(node, notes, depth);
    if (iterated) return iterated;
    if (ts.isIdentifier(node)) return isValueReference(node) ? this.#identifier(node, notes, depth, seen) : undefined;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) return this.#call(node, notes, depth, seen);
    const tagged = ts.isTaggedTemplateExpression(node) ? this.#tagResult(node, notes, depth) : undefined;
    if (tagged) return tagged;
    const getter = ts.isPropertyAccessExpression(node) ? this.#getterResult(node, notes, depth) : undefined;
    if (getter) return getter;
    const captured = ts.isPropertyAccessExpression(node) ? this.#capturedArgument(node, notes, depth, seen) : undefined;
    if (captured) return captured;
    const property = ts.isPropertyAccessExpression(node) ? this.propertyOrigin(node, notes, depth, seen) : undefined;
    if (property) return property.origin;
    const exported = ts.isPropertyAccessExpression(node) ? this.#namespaceMember(node, notes, depth, seen) : undefined;
    if (exported) return exported;
    if (ts.isBinaryExpression(node) && this.#fallbackNeverRuns(node))
      return this.originOf(node.left, notes, depth, seen);
    return ts.forEachChild(node, (child) => this.originOf(child, notes, depth, seen));
  }

  /**
   * `env` of `prefix = env` in a setter the program calls only at load (`configure('prod')`, writtenAtLoad):
   * what those calls pass for it. Any other assigned value is itself.
   */
  readonly #givenAtLoad = (assigned: ts.Expression): readonly ts.Expression[] => {
    const resolved = ts.isIdentifier(assigned) ? resolveName(assigned, this.checker) : undefined;
    const parameter = resolved?.kind === 'parameter' ? resolved.node : undefined;
    if (!parameter || !ts.isParameter(parameter) || !this.#passed || !this.program) return [assigned];
    const write = assigned.parent;
    return writtenAtLoad(write, this.program, this.checker) ? this.#passed.of(parameter) : [assigned];
  };

  /**
   * `ts ?? Date.now()` on a parameter that every call of its function passes a value that is never null or
   * undefined (`minuteBucket(e.ts)` everywhere): the fallback never runs, as a default no call leaves to.
   */
  #fallbackNeverRuns(node: ts.BinaryExpression): boolean {
    if (node.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionToken || !this.#passed) return false;
    const left = unwrap(node.left);
    const resolved = ts.isIdentifier(left) ? resolveName(left, this.checker) : undefined;
    const parameter = resolved?.kind === 'parameter' ? resolved.node : undefined;
    if (!parameter || !ts.isParameter(parameter) || this.#defaultUsed(parameter)) return false;
    return this.#passed.of(parameter).every((given) => !mayBeNullish(this.checker.getTypeAtLocation(given)));
  }

  /**
   * `config.region`, with `const config = { node: os.hostname(), region: 'eu' }`: only the property
   * read, not its siblings. Undefined when the receiver is not such a const object of the program
   * (then the whole receiver is judged); otherwise the property's origin, if any.
   */
  propertyOrigin(
    node: ts.PropertyAccessExpression,
    notes: NotFollowed[],
    depth = 0,
    seen: Set<ts.Node> = new Set(),
  ): { readonly origin: Nondet | undefined } | undefined {
    const getter = literalGetter(node.expression, node.name.text, this.checker, returnedExpressions);
    if (getter) return { origin: this.#literalGetterResult(node, getter, notes, depth) };
    const value = propertyValue(node.expression, node.name.text, this.checker, returnedExpressions);
    if (value === undefined) return undefined;
    if (value === 'absent') return { origin: undefined };
    const found = this.originOf(value, notes, depth, seen);
    return {
      origin: found && { ...found, via: [{ how: 'held by', name: node.getText(), node }, ...found.via] },
    };
  }

  /** `settings.partition` running `get partition()` of an object literal: what its body returns, and only that. */
  #literalGetterResult(
    node: ts.PropertyAccessExpression,
    getter: ts.GetAccessorDeclaration,
    notes: NotFollowed[],
    depth: number,
  ): Nondet | undefined {
    if (depth >= maxCallDepth) return undefined;
    const summary = this.summary(getter as unknown as FunctionNode, depth + 1);
    notes.push(...summary.notFollowed);
    const via: Hop = { how: 'returned by', name: node.getText().replace(/\s+/g, ''), node };
    return summary.returns && { ...summary.returns, via: [via, ...summary.returns.via] };
  }

  /**
   * For an analysis that walks a function itself (the pipeline's taint):
   * only what this one node brings from outside `fn` — a helper's result, a
   * variable declared outside, a write of module state. Its children are
   * the caller's to walk.
   */
  shallowOrigin(node: ts.Node, fn: ts.Node, notes: NotFollowed[]): Nondet | undefined {
    if (isIncrement(node) && ts.isIdentifier(node.operand)) return this.#state.stateWrite(node.operand, node);
    if (ts.isBinaryExpression(node) && assignments.has(node.operatorToken.kind) && ts.isIdentifier(node.left))
      return this.#state.stateWrite(node.left, node);
    const field =
      this.#state.staticField(node) ??
      this.#staticValue(node, notes, 0, new Set()) ??
      this.#fieldInitializer(node, notes, 0, new Set()) ??
      this.#state.sharedField(node);
    if (field) return field;
    if (ts.isIdentifier(node) && isValueReference(node)) {
      if ((ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent)) && node.parent.expression === node)
        return undefined; // the call asks for it
      const resolved = resolveName(node, this.checker);
      const inside =
        (resolved.kind === 'variable' || resolved.kind === 'parameter') &&
        ts.findAncestor(resolved.node, (n) => n === fn) !== undefined;
      return inside ? undefined : this.#identifier(node, notes, 0, new Set());
    }
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && !isFunctionNode(node.expression)) {
      // Arguments are walked by the caller; only the callee's own result is asked here.
      return this.#calleeResult(node, notes, 0);
    }
    if (ts.isTaggedTemplateExpression(node)) return this.#tagResult(node, notes, 0);
    if (ts.isPropertyAccessExpression(node))
      return (
        this.#getterResult(node, notes, 0) ??
        this.#capturedArgument(node, notes, 0, new Set()) ??
        this.#namespaceMember(node, notes, 0, new Set())
      );
    return this.#iteratedResult(node, notes, 0);
  }

  /** `lib.GENERATION` of `import * as lib from './lib/index.ts'` (also through `export *` barrels): that module variable. */
  #namespaceMember(
    node: ts.PropertyAccessExpression,
    notes: NotFollowed[],
    depth: number,
    seen: Set<ts.Node>,
  ): Nondet | undefined {
    const receiver = unwrap(node.expression);
    if (!ts.isIdentifier(receiver) || !ts.isIdentifier(node.name)) return undefined;
    return resolveName(receiver, this.checker).kind === 'module'
      ? this.#identifier(node.name, notes, depth, seen)
      : undefined;
  }

  /**
   * `arrival` of `const [, arrival] = stamps(e)`, `stamps` a generator of the program: what it yields at
   * that position (generator-positions.ts), placed at the call. Undefined when the name is not taken by
   * position from a generator; `{ origin: undefined }` when the value there is clean (the first of
   * `yield e.ts; yield Date.now()`).
   */
  destructuredOrigin(
    binding: ts.BindingElement,
    notes: NotFollowed[],
    depth = 0,
    seen: Set<ts.Node> = new Set(),
  ): { readonly origin: Nondet | undefined } | undefined {
    const position = depth < maxCallDepth ? generatorPosition(binding, this.checker) : undefined;
    if (!position) return undefined;
    seen.add(binding);
    const name = calleeName(position.call.expression)?.getText() ?? 'a generator';
    for (const value of position.values) {
      const found = this.originOf(value, notes, depth + 1, seen);
      if (found)
        return { origin: { ...found, via: [{ how: 'returned by', name, node: position.call }, ...found.via] } };
    }
    return { origin: undefined };
  }

  /**
   * `prefix` in the closure `(prefix) => (e) => prefix + e.id` returns, `this.salt` with
   * `constructor(private salt: string)`: a value bound into a closure or an instance when it was made
   * carries what the program passed for it — `keyWith(hostname())` makes a key function of the machine.
   * Every call of the factory counts: the closure cannot tell which one made it. Placed at the argument.
   */
  #capturedArgument(node: ts.Expression, notes: NotFollowed[], depth: number, seen: Set<ts.Node>): Nondet | undefined {
    const parameter = this.#passed && depth < maxCallDepth ? capturedParameter(node, this.checker) : undefined;
    if (!parameter || seen.has(parameter)) return undefined;
    // A function's own parameter read by a callback inside it (`xs.map((x) => x + salt)`) is its caller's to judge.
    const factory = parameter.parent;
    if (ts.isIdentifier(node) && !(isFunctionNode(factory) && returnedFunction(factory, this.checker)))
      return undefined;
    seen.add(parameter);
    for (const argument of this.#passed!.of(parameter)) {
      const found = this.originOf(argument, notes, depth + 1, seen);
      if (!found) continue;
      const name = node.getText().replace(/\s+/g, '');
      const passed: Hop = { how: 'passed as', name: argument.getText().replace(/\s+/g, ' '), node: argument };
      return { ...found, via: [{ how: 'held by', name, node }, passed, ...found.via] };
    }
    return undefined;
  }

  /**
   * `[...new Batch(items)]`, `for (const id of batch)`: iterating an instance
   * of a program class runs its `*[Symbol.iterator]()` generator, so the
   * items are what it yields.
   */
  #iteratedResult(node: ts.Node, notes: NotFollowed[], depth: number): Nondet | undefined {
    const iterable = ts.isSpreadElement(node)
      ? node.expression
      : ts.isForOfStatement(node.parent) && node.parent.expression === node
        ? node.parent.expression
        : undefined;
    const generator = iterable && iteratorGenerator(iterable, this.checker);
    if (!generator || depth >= maxCallDepth) return undefined;
    for (const yielded of yieldedExpressions(generator)) {
      const found = this.originOf(yielded, notes, depth + 1);
      const via: Hop = {
        how: 'returned by',
        name: `${iterable.getText().replace(/\s+/g, ' ')}[Symbol.iterator]`,
        node,
      };
      if (found) return { ...found, via: [via, ...found.via] };
    }
    return undefined;
  }

  /** `partitioning.today`, `this.bucket`: a read of a `get` accessor runs it, so it is what its body returns. */
  #getterResult(node: ts.PropertyAccessExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    if (this.#getterNames && !this.#getterNames.has(node.name.text)) return undefined;
    const getter = getterOf(node, this.checker);
    if (!getter || depth >= maxCallDepth) return undefined;
    // `turn.next` whose getter advances a field of a module-level instance: each read takes another value.
    const instance = this.#state.moduleInstanceState(node, getter);
    if (instance) return instance;
    // `t.bucket` of `t: Tagged` may run `override get bucket()` of a subclass the program makes.
    const targets = this.#virtualTargets(node.expression, getter as unknown as ts.GetAccessorDeclaration);
    const name = node.getText().replace(/\s+/g, '');
    return this.#firstResult(targets as unknown as FunctionNode[], node, name, notes, depth);
  }

  /**
   * The bodies a member read or called on `receiver` may run: for a receiver made in place
   * (`new Tagged(c)`, or a const holding one) the member itself; else the member of each class of the
   * program made with `new` that is its class or extends it (an override, overrides.ts) — `t` typed
   * `Tagged` may hold an `ArrivalTagged`.
   */
  #virtualTargets<M extends ts.MethodDeclaration | ts.GetAccessorDeclaration>(
    receiver: ts.Expression,
    declared: M,
  ): readonly M[] {
    const held = unwrap(receiver);
    const resolved = ts.isIdentifier(held) ? resolveName(held, this.checker) : undefined;
    const init = resolved?.kind === 'variable' ? resolved.node.initializer : undefined;
    if (ts.isNewExpression(held) || (init !== undefined && ts.isNewExpression(unwrap(init)))) return [declared];
    return this.#overrides?.of(declared) ?? [declared];
  }

  #call(
    call: ts.CallExpression | ts.NewExpression,
    notes: NotFollowed[],
    depth: number,
    seen: Set<ts.Node>,
  ): Nondet | undefined {
    const result = this.#calleeResult(call, notes, depth);
    if (result) return result;
    const callee = unwrap(call.expression);
    // `salted[Math.floor(Math.random() * 8)](id)`: which function of the table runs is chosen by the index.
    const receiver = ts.isPropertyAccessExpression(callee)
      ? callee.expression
      : isFunctionNode(callee)
        ? callee
        : ts.isElementAccessExpression(callee)
          ? callee.argumentExpression
          : undefined;
    for (const part of [...(receiver ? [receiver] : []), ...(call.arguments ?? [])]) {
      const found = this.originOf(part, notes, depth, seen);
      if (found) return found;
    }
    return undefined;
  }

  /** `dayFormat.format()`, with `const dayFormat = new Intl.DateTimeFormat(…)` anywhere in the program: the current time. */
  #isFormatter = (receiver: ts.Expression): boolean => {
    if (isDateTimeFormat(receiver)) return true;
    if (!ts.isIdentifier(receiver)) return false;
    const resolved = resolveName(receiver, this.checker);
    const init = resolved.kind === 'variable' ? resolved.node.initializer : undefined;
    return init !== undefined && isDateTimeFormat(init);
  };

  /** What the called helper itself returns, read from its summary. */
  #calleeResult(call: ts.CallExpression | ts.NewExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    const formatted = ts.isCallExpression(call) ? formatsCurrentTime(call, this.#isFormatter) : undefined;
    if (formatted) return { what: formatted, kind: 'clock', at: call, via: [] };
    const generator = ts.isCallExpression(call) ? advancedGenerator(call, this.checker) : undefined;
    if (generator) return { what: generator, kind: 'module-state', at: call, via: [] };
    const member = ts.isCallExpression(call) ? changingSetMembership(call, this.checker) : undefined;
    if (member) {
      const line = member.write.getSourceFile().getLineAndCharacterOfPosition(member.write.getStart()).line + 1;
      return {
        what: `the set \`${member.name}\` of records seen before (added to at line ${line})`,
        kind: 'module-state',
        at: call,
        via: [],
      };
    }
    const converted = ts.isNewExpression(call)
      ? this.#convertedResult(call, notes, depth)
      : (this.#invokedResult(call, notes, depth) ?? this.#boundArgumentResult(call, notes, depth));
    if (converted) return converted;
    // `this.clock.now()` of `clock: Clock`: the object passed for the field names the path (`new WallClock()`,
    // passed at …), before resolveCallee's one implementation of the interface.
    const method = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(method) && declaredInterface(method.expression, this.checker)) {
      const passed = this.#passedResult(call, notes, depth);
      if (passed) return passed;
    }
    const resolved = resolveCallee(call, this.checker);
    const name = calleeName(call.expression)?.getText() ?? call.expression.getText();
    const overridden = resolved.kind === 'external' ? undefined : this.#thisCallTargets(call, resolved);
    if (overridden) return this.#firstResult(overridden, call, name, notes, depth);
    if (resolved.kind === 'parameter' || resolved.kind === 'variable' || resolved.kind === 'other') {
      // `random()` of `const { random } = Math`: judged as `Math.random()`.
      const member = destructuredMemberName(call.expression, this.checker);
      const memberWhat = member === undefined ? undefined : nondeterministicCallee(member);
      if (memberWhat) return { what: memberWhat, kind: kindOf(memberWhat), at: call, via: [] };
      // `this.now()` with `now = Date.now`, `this.clock.now()` with `clock = systemClock`: the function the name holds.
      const held = heldCallee(call.expression, this.checker, this.#defaultUsed);
      if (held) return this.#resultOfCalling(held, call, notes, depth);
      return this.#elsewhereResult(call, notes, depth);
    }
    const instance = resolved.kind === 'function' ? this.#state.moduleInstanceState(call, resolved.node) : undefined;
    if (instance) return instance;
    if (resolved.kind === 'function' && !isFunctionNode(call.expression)) {
      if (depth >= maxCallDepth) {
        notes.push({ at: call, what: `${name}()`, why: `helper calls nest deeper than ${maxCallDepth}` });
      } else {
        const summary = this.summary(resolved.node, depth + 1);
        notes.push(...summary.notFollowed);
        if (summary.returns)
          return { ...summary.returns, via: [{ how: 'returned by', name, node: call }, ...summary.returns.via] };
      }
    } else if (resolved.kind === 'external') {
      const exported = renamedImportOf(call.expression, this.checker);
      const what = exported === undefined ? undefined : nondeterministicCallee(exported);
      if (what) return { what, kind: kindOf(what), at: call, via: [] };
      // `dayjs()`, `DateTime.utc()`, `KSUID.randomSync()`: a date or id package's call, judged by the package.
      const fromPackage = packageNondeterminism(call, this.checker);
      if (fromPackage) return { ...fromPackage, at: call, via: [] };
    } else if (resolved.kind === 'unresolved' && !globalNames.has(name)) {
      notes.push({ at: call, what: `${name}()`, why: resolved.why });
    }
    return undefined;
  }

  /**
   * `this.sessionOf(v)` in a base class: the methods the instances the program makes run for it — an
   * override in a subclass, or the base's own when a class that keeps it is made (overrides.ts).
   */
  #thisCallTargets(
    call: ts.CallExpression | ts.NewExpression,
    resolved: Resolved,
  ): readonly FunctionNode[] | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    if (unwrap(callee.expression).kind !== ts.SyntaxKind.ThisKeyword) {
      // `t.bucketOf()` of `t: Tagged`: the override of the subclass an instance was made of may run.
      const method = resolved.kind === 'function' ? resolved.node : undefined;
      if (!method || !ts.isMethodDeclaration(method) || !ts.isClassLike(method.parent)) return undefined;
      const targets = this.#virtualTargets(callee.expression, method);
      return targets.length === 1 && targets[0] === method ? undefined : targets;
    }
    // The method the name declares in the class (an abstract one has no body: the overrides are what runs).
    const declared = this.checker.getSymbolAtLocation(callee.name)?.valueDeclaration;
    return declared && ts.isMethodDeclaration(declared) ? this.#overrides?.of(declared) : undefined;
  }

  /** The first non-deterministic value one of the functions a call may run returns. */
  #firstResult(
    targets: readonly FunctionNode[],
    call: ts.Node,
    name: string,
    notes: NotFollowed[],
    depth: number,
  ): Nondet | undefined {
    if (depth >= maxCallDepth) return undefined;
    for (const target of targets) {
      const summary = this.summary(target, depth + 1);
      notes.push(...summary.notFollowed);
      if (summary.returns)
        return { ...summary.returns, via: [{ how: 'returned by', name, node: call }, ...summary.returns.via] };
    }
    return undefined;
  }

  /**
   * `fallback()` in the arrow `eventTimeOr(fallback)` returns, `this.clock.now()` with
   * `constructor(private clock: Clock)`: what the functions or objects the program passes
   * for that parameter return (passed-values.ts). The first non-deterministic one is kept,
   * with the argument that brought it.
   */
  #passedResult(call: ts.CallExpression | ts.NewExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    if (!this.#passed) return undefined;
    for (const { value, passed } of passedCallees(call.expression, this.checker, this.#passed, this.#defaultUsed)) {
      const found = this.#resultOfCalling(value, call, notes, depth);
      if (!found) continue;
      const [first, ...rest] = found.via;
      const given: Hop = { how: 'passed as', name: passed.getText().replace(/\s+/g, ' '), node: passed };
      return { ...found, via: first ? [first, given, ...rest] : [given] };
    }
    return undefined;
  }

  /**
   * `this.clock.now()` on a field typed by an interface of the program, whose value was
   * not found where it is given: the one class of the program that implements it is
   * followed; with several, the instance a const holds (`STRATEGIES.event`), else those the
   * program makes; failing that, a note says what was not followed. A receiver typed with the
   * interface only by the checker (no declared type) gets no note.
   */
  #implementedResult(
    call: ts.CallExpression | ts.NewExpression,
    notes: NotFollowed[],
    depth: number,
  ): Nondet | undefined {
    const callee = unwrap(call.expression);
    if (!this.#implementations || !ts.isPropertyAccessExpression(callee)) return undefined;
    const declared = declaredInterface(callee.expression, this.checker);
    const iface = declared ?? inferredInterface(callee.expression, this.checker);
    if (!iface) return undefined;
    const { classes, methods, implementing } = this.#implementations.methods(iface, callee.name.text);
    const name = `${callee.getText().replace(/\s+/g, '')}()`;
    if (declared && classes === 1 && methods.length === 1)
      return this.#resultOfCalling(methods[0]!, call, notes, depth);
    const held = this.#heldInstanceMethod(callee);
    if (held) return this.#resultOfCalling(held, call, notes, depth);
    // `strategy.keyOf(…)` with `const strategy = STRATEGIES.arrival`: which instance it holds is not known, but
    // those the program makes with `new` are what it may hold; the first that is not deterministic is reported.
    const made = methods.filter((m) => this.#overrides?.isMade(m.parent as ts.ClassLikeDeclaration));
    if (made.length > 0 && made.length === implementing.filter((c) => this.#overrides?.isMade(c)).length)
      return this.#firstResult(made, call, name.slice(0, -2), notes, depth);
    if (!declared) return undefined;
    notes.push({
      at: call,
      what: name,
      why: `it is a method of the interface \`${iface.name.text}\`, implemented by ${classes === 0 ? 'no class' : `${classes} classes`} of the program, and which one it holds was not found`,
    });
    return undefined;
  }

  /**
   * `byEvent.keyOf` with `const byEvent = STRATEGIES.event` and `STRATEGIES = { event: new ByEventHour(), … }`:
   * the method of the class the instance the name holds was made of, followed through const names and the
   * properties of const objects. Undefined when the value is not such an instance.
   */
  #heldInstanceMethod(callee: ts.PropertyAccessExpression): ts.MethodDeclaration | undefined {
    let value: ts.Expression | undefined = unwrap(callee.expression);
    for (let hops = 0; value && hops < 6 && !ts.isNewExpression(value); hops++) {
      if (ts.isIdentifier(value)) {
        const resolved = resolveName(value, this.checker);
        const init = resolved.kind === 'variable' && isConst(resolved.node) ? resolved.node.initializer : undefined;
        value = init && unwrap(init);
      } else if (ts.isPropertyAccessExpression(value)) {
        const found = propertyValue(value.expression, value.name.text, this.checker, returnedExpressions);
        value = found === undefined || found === 'absent' ? undefined : unwrap(found);
      } else value = undefined;
    }
    if (!value || !ts.isNewExpression(value)) return undefined;
    const member = this.checker.getTypeAtLocation(value).getProperty(callee.name.text)?.valueDeclaration;
    return member && ts.isMethodDeclaration(member) && member.body ? member : undefined;
  }

  /** A name that holds no function here: what a caller passed, the one implementation, or a CommonJS export. */
  #elsewhereResult(
    call: ts.CallExpression | ts.NewExpression,
    notes: NotFollowed[],
    depth: number,
  ): Nondet | undefined {
    return (
      this.#passedResult(call, notes, depth) ??
      this.#implementedResult(call, notes, depth) ??
      this.#requiredResult(call, notes, depth)
    );
  }

  /**
   * `shardFor(id)` of `const { shardFor } = createRequire(import.meta.url)('./shard.cjs')`-style CommonJS loads:
   * what the function the file exports returns, read in a program holding that file (the lint's, or one built
   * from disk).
   */
  #requiredResult(call: ts.CallExpression | ts.NewExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    const required = depth < maxCallDepth ? requiredFunction(call.expression, this.checker) : undefined;
    if (!required) return undefined;
    const program = this.program?.getSourceFile(required.file) ? this.program : diskPrograms.programOf(required.file);
    const fn = program && requiredFunctionIn(program, required.file, required.name);
    if (!program || !fn) return undefined;
    const summary = valueOrigins(program).summary(fn, depth + 1);
    notes.push(...summary.notFollowed);
    const via: Hop = { how: 'returned by', name: required.name, node: call };
    return summary.returns && { ...summary.returns, via: [via, ...summary.returns.via] };
  }

  /** `${new ShardKey(id)}`, `JSON.stringify(new Bucket(p))`: the conversion runs the class's `toString`/`toJSON`/`[Symbol.toPrimitive]`. */
  #convertedResult(made: ts.NewExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    const method = depth < maxCallDepth ? conversionMethod(made, this.checker) : undefined;
    if (!method) return undefined;
    const summary = this.summary(method, depth + 1);
    notes.push(...summary.notFollowed);
    const via: Hop = {
      how: 'returned by',
      name: `${made.expression.getText()}.${method.name.getText()}`,
      node: made,
    };
    return summary.returns && { ...summary.returns, via: [via, ...summary.returns.via] };
  }

  /** `sessionOf.call(undefined, id)`, `keyOf.apply(null, [e])`, `Reflect.apply(keyOf, null, [e])`: a call of the function of the program they are methods of. */
  #invokedResult(call: ts.CallExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !/^(call|apply)$/.test(callee.name.text)) return undefined;
    // `Reflect.apply(sessionOf, undefined, [e])` runs its first argument.
    const target = unwrap(invokedBy(call));
    if (!ts.isIdentifier(target) || depth >= maxCallDepth) return undefined;
    const resolved = resolveName(target, this.checker);
    if (resolved.kind !== 'function') return undefined;
    const summary = this.summary(resolved.node, depth + 1);
    notes.push(...summary.notFollowed);
    const via: Hop = { how: 'returned by', name: target.text, node: call };
    return summary.returns && { ...summary.returns, via: [via, ...summary.returns.via] };
  }

  /**
   * `keyOf(user)` with `const keyOf = keyAt.bind(null, Date.now())`: the arguments bound when the function was
   * made are passed to every call of it, as a factory's are captured. Placed at the bound argument.
   */
  #boundArgumentResult(call: ts.CallExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    const bound = boundCall(unwrap(call.expression), this.checker);
    for (const argument of bound?.arguments.slice(1) ?? []) {
      const found = this.originOf(argument, notes, depth + 1);
      if (!found) continue;
      const passed: Hop = { how: 'passed as', name: argument.getText().replace(/\s+/g, ' '), node: argument };
      return { ...found, via: [{ how: 'held by', name: call.expression.getText(), node: call }, passed, ...found.via] };
    }
    return undefined;
  }

  /** ``uid`${r.id}` ``: a tagged template calls its tag, whose result is the template's value. */
  #tagResult(node: ts.TaggedTemplateExpression, notes: NotFollowed[], depth: number): Nondet | undefined {
    if (!ts.isIdentifier(node.tag) || depth >= maxCallDepth) return undefined;
    const resolved = resolveName(node.tag, this.checker);
    if (resolved.kind !== 'function') return undefined;
    const summary = this.summary(resolved.node, depth + 1);
    notes.push(...summary.notFollowed);
    const via: Hop = { how: 'returned by', name: node.tag.text, node };
    return summary.returns && { ...summary.returns, via: [via, ...summary.returns.via] };
  }

  /** What calling a held function value returns: an arrow's or method's summary, or `Date.now` (an import) judged by its name. */
  #resultOfCalling(
    value: ts.Node,
    call: ts.CallExpression | ts.NewExpression,
    notes: NotFollowed[],
    depth: number,
  ): Nondet | undefined {
    // `const fallback = opts.fallback === 'arrival' ? arrival : () => 0`: whichever branch it holds is called.
    const chosen = chosenValues(value, this.checker, this.#defaultUsed);
    if (chosen) {
      for (const branch of chosen) {
        const found = this.#resultOfCalling(branch, call, notes, depth);
        if (found) return found;
      }
      return undefined;
    }
    const via: Hop = { how: 'returned by', name: call.expression.getText().replace(/\s+/g, ''), node: call };
    // `const nextSeq = (() => { let n = 0; return () => ++n; })()`, `const stamp = makeStamper()`: the function the factory hands back.
    if (ts.isCallExpression(value)) {
      // `const deployedAt = R.always(new Date()…)`, `const today = _.once(() => new Date()…)`: a library's combinator.
      const combined = combinedBy(value, this.checker);
      if (combined) return this.#combinedResult(combined, call, notes, depth);
      // `const shortId = customAlphabet('0123456789abcdef', 12)`, `const nextId = monotonicFactory()`: a package's generator of random ids.
      const factory = randomIdFactory(value, this.checker);
      if (factory !== undefined)
        return { what: `a generated id (${factory}())`, kind: 'random', at: value, via: [via] };
      const made = this.#madeFunction(value);
      // Made once at load: what the closure keeps between its calls lives as long as the process.
      const kept =
        made && ts.findAncestor(value, isFunctionNode) === undefined && capturedStateWrite(made, this.checker);
      if (kept)
        return {
          what: `a variable kept by the closure \`${value.getText().replace(/\s+/g, ' ')}\` made, changed at line ${lineOf(kept)}`,
          kind: 'module-state',
          at: kept,
          via: [via],
        };
      value = made ?? value;
    }
    if (isFunctionNode(value)) {
      if (depth >= maxCallDepth) return undefined;
      const summary = this.summary(value, depth + 1);
      notes.push(...summary.notFollowed);
      return summary.returns && { ...summary.returns, via: [via, ...summary.returns.via] };
    }
    if (!ts.isIdentifier(value) && !ts.isPropertyAccessExpression(value)) return undefined;
    const exported = ts.isIdentifier(value) ? (renamedImportOf(value, this.checker) ?? value.text) : value.getText();
    const what = nondeterministicCallee(exported.replace(/\s+/g, ''));
    return what ? { what, kind: kindOf(what), at: value, via: [via] } : undefined;
  }

  /**
   * Calling what a library's combinator made: the value `always`/`constant` was given (computed when the function
   * was made), or what the functions `once`, `memoize`, `flow`, `pipe`… were given return.
   */
  #combinedResult(
    combined: Combined,
    call: ts.CallExpression | ts.NewExpression,
    notes: NotFollowed[],
    depth: number,
  ): Nondet | undefined {
    if (depth >= maxCallDepth) return undefined;
    if (combined.kind === 'returns') {
      const found = this.originOf(combined.value, notes, depth + 1);
      const via: Hop = { how: 'returned by', name: call.expression.getText().replace(/\s+/g, ''), node: call };
      return found && { ...found, via: [via, ...found.via] };
    }
    for (const given of combined.functions) {
      const found = this.#resultOfCalling(this.#functionHeld(given), call, notes, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** The function a name given to a combinator stands for (`pipe(pageOf, salted)`): its declaration or const's value. */
  #functionHeld(given: ts.Expression): ts.Node {
    const node = unwrap(given);
    if (!ts.isIdentifier(node)) return node;
    const resolved = resolveName(node, this.checker);
    if (resolved.kind === 'function') return resolved.node;
    return resolved.kind === 'variable' && resolved.node.initializer ? resolved.node.initializer : node;
  }

  /** The function a factory call hands back, when the factory is an arrow called in place or a function of the program. */
  #madeFunction(call: ts.CallExpression): FunctionNode | undefined {
    const factory = unwrap(call.expression);
    if (isFunctionNode(factory)) return returnedFunction(factory, this.checker);
    const resolved = resolveCallee(call, this.checker);
    return resolved.kind === 'function' ? returnedFunction(resolved.node, this.checker) : undefined;
  }

  /**
   * What a parameter or a destructured name holds: a generator's value at its position, the part of its
   * declaration it takes, its default when a caller leaves it out, or what a factory's callers passed.
   */
  #parameterValue(
    id: ts.Identifier,
    declared: ts.ParameterDeclaration | ts.BindingElement,
    notes: NotFollowed[],
    depth: number,
    seen: Set<ts.Node>,
  ): Nondet | undefined {
    const held = (found: Nondet): Nondet => ({
      ...found,
      via: [{ how: 'held by', name: id.text, node: id }, ...found.via],
    });
    const binding = ts.isBindingElement(declared) ? declared : undefined;
    // Asked before the look-ups below mark the binding seen: its default (`{ id = randomUUID() } = body`) is still read.
    const unseen = !seen.has(declared);
    const position = binding && !seen.has(binding) ? this.destructuredOrigin(binding, notes, depth, seen) : undefined;
    if (position) return position.origin && held(position.origin);
    const destructured = binding && !seen.has(binding) ? destructuredFrom(binding) : undefined;
    if (binding && destructured) {
      // `const { value } = tickets.next()`: the name holds part of what its declaration reads.
      seen.add(binding);
      const found = this.originOf(destructured, notes, depth, seen);
      if (found) return held(found);
    }
    if (declared.initializer && unseen) {
      // `at = Date.now()`, `const { id = uuid() } = body`: the default is what the name holds whenever the value is missing.
      seen.add(declared);
      const found = this.originOf(declared.initializer, notes, depth, seen);
      // Every caller passing the argument (`makeKey('v1')`, `stamp(e, e.ts)`): the default never runs.
      if (found && !(ts.isParameter(declared) && !this.#defaultUsed(declared))) return held(found);
    }
    const captured = this.#capturedArgument(id, notes, depth, seen);
    // `stamped((ts) => …)`, `idOf().then((id) => …)`: a callback's parameter holds what it is given.
    if (captured || !ts.isParameter(declared) || seen.has(declared)) return captured;
    return this.#callbackParameter(id, declared, notes, depth, seen);
  }

  #identifier(id: ts.Identifier, notes: NotFollowed[], depth: number, seen: Set<ts.Node>): Nondet | undefined {
    const resolved = resolveName(id, this.checker);
    if (resolved.kind === 'unresolved') {
      if (!globalNames.has(id.text) && id.text !== 'undefined')
        notes.push({ at: id, what: `\`${id.text}\``, why: resolved.why });
      return undefined;
    }
    if (resolved.kind === 'parameter') return this.#parameterValue(id, resolved.node, notes, depth, seen);
    if (resolved.kind !== 'variable') return undefined;
    // Asked at each read (before `seen`): a memo's look-up is clean, its `.size` is not.
    const history = collectionHistory(id, resolved.node, this.checker);
    if (history)
      return {
        what: `the collection \`${id.text}\` filled as records come (changed at line ${lineOf(history)})`,
        kind: 'module-state',
        at: history,
        via: [],
      };
    if (seen.has(resolved.node)) return undefined;
    const declaration = resolved.node;
    seen.add(declaration);
    const mutated =
      !isConst(declaration) && outlivesCalls(declaration)
        ? this.#variableWrites
            .writesInFunctions(declaration)
            .find((w) => !this.program || !writtenAtLoad(w, this.program, this.checker))
        : undefined;
    if (mutated)
      return {
        what: `module variable \`${id.text}\`, changed at line ${mutated.getSourceFile().getLineAndCharacterOfPosition(mutated.getStart()).line + 1}`,
        kind: 'module-state',
        at: mutated,
        via: [],
      };
    const sources = [
      ...(declaration.initializer ? [declaration.initializer] : []),
      ...(isConst(declaration) ? [] : this.#variableWrites.assignedValues(declaration).flatMap(this.#givenAtLoad)),
      ...loopSource(declaration),
      // `firstSeen.get(id)` of a module Map a memo fills with `firstSeen.set(id, Date.now())`.
      ...lookedUpValues(id, declaration, this.checker),
      // `crypto.getRandomValues(buf)` fills the array it is given.
      ...this.#variableWrites.writesOf(declaration).filter(ts.isCallExpression),
    ];
    for (const source of sources) {
      const found = this.originOf(source, notes, depth, seen);
      if (found) return { ...found, via: [{ how: 'held by', name: id.text, node: id }, ...found.via] };
    }
    return undefined;
  }

  /** `stamped((ts) => …)` whose `stamped` calls `fn(new Date())`, `idOf().then((id) => …)`: what the callback is given. */
  #callbackParameter(
    id: ts.Identifier,
    parameter: ts.ParameterDeclaration,
    notes: NotFollowed[],
    depth: number,
    seen: Set<ts.Node>,
  ): Nondet | undefined {
    seen.add(parameter);
    for (const given of callbackArguments(parameter, this.checker)) {
      const found = this.originOf(given, notes, depth + 1, seen);
      if (found) return { ...found, via: [{ how: 'held by', name: id.text, node: id }, ...found.via] };
    }
    return undefined;
  }

  /** `NodeId.value`, given `os.hostname()` by its initializer or a `static { }` block: one value a process. */
  #staticValue(node: ts.Node, notes: NotFollowed[], depth: number, seen: Set<ts.Node>): Nondet | undefined {
    if (!ts.isPropertyAccessExpression(node) || writtenTarget(node.parent) === node) return undefined;
    const read = staticFieldOf(node, this.checker, { readonlyToo: true });
    if (!read || seen.has(read.declaration)) return undefined;
    seen.add(read.declaration);
    for (const value of staticFieldValues(read.declaration)) {
      const found = this.originOf(value, notes, depth, seen);
      if (found) return { ...found, via: [{ how: 'held by', name: read.name, node }, ...found.via] };
    }
    return undefined;
  }

  /**
   * `this.salt` with `private salt = randomUUID()`, or given it by the constructor (`this.salt = randomUUID()`),
   * or a parameter property's default that some `new` leaves to run (instance-fields.ts).
   */
  #fieldInitializer(node: ts.Node, notes: NotFollowed[], depth: number, seen: Set<ts.Node>): Nondet | undefined {
    const field = instanceFieldValues(node, this.checker, this.#constructorSet);
    // A parameter property is also what each `new` passes: #capturedArgument reads that, placed at the argument.
    if (!field || field.values.length === 0 || seen.has(field.declaration)) return undefined;
    if (ts.isParameter(field.declaration) && !this.#defaultUsed(field.declaration)) return undefined;
    seen.add(field.declaration);
    for (const value of field.values) {
      const found = this.originOf(value, notes, depth, seen);
      if (found) return { ...found, via: [{ how: 'held by', name: node.getText(), node }, ...found.via] };
    }
    // Clean here: what a `new` passes for a parameter property is still to be read (#capturedArgument).
    seen.delete(field.declaration);
    return undefined;
  }
}

/**
 * `fresh` of `import { randomUUID as fresh } from 'node:crypto'`, or of a
 * barrel's `export { v4 as fresh } from 'uuid'`: the name the package
 * exports it under.
 */
function renamedImportOf(callee: ts.Expression, checker: ts.TypeChecker): string | undefined {
  return ts.isIdentifier(callee) ? packageExportOf(callee, checker)?.exported : undefined;
}

const perProgram = new WeakMap<ts.Program, ValueOrigins>();

/** One analysis a program, so summaries are computed once however many rules and files ask. */
export function valueOrigins(program: ts.Program): ValueOrigins {
  let origins = perProgram.get(program);
  if (!origins) {
    origins = new ValueOrigins(program.getTypeChecker(), program);
    perProgram.set(program, origins);
  }
  return origins;
}

const nullish = ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void;

/**
 * Can a value of this type be null or undefined? A type the program does not know (`any`: a record `check` types
 * without the schema's package) counts as given, as an argument passed for a default does.
 */
const mayBeNullish = (type: ts.Type): boolean =>
  type.isUnion() ? type.types.some(mayBeNullish) : (type.flags & nullish) !== 0;
