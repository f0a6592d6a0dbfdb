import ts from 'typescript';
import type { ParameterArguments } from './call-sites.ts';
import { isConst, symbolOf, unwrap, type FunctionNode } from './resolve.ts';

/** EventEmitter methods that register a listener: `(event, listener)`. */
const registering = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

/** A file that may register a listener for a named event: only those are read for the index. */
const mayRegister = (text: string) => /\.(on|once|addListener|prependListener|prependOnceListener)\(/.test(text);

interface Registration {
  /** The emitter, as a symbol: the variable or field it is held in, or the class for `this.on(…)` in its body. */
  readonly emitter: ts.Symbol;
  /** The receiver as written (`bus`, `this`): its type is asked only when an emit needs it. */
  readonly receiver: ts.Expression;
  readonly fn: FunctionNode;
}

/** `'entry'`, `` `entry` ``, or a const / enum member whose type is that string literal. */
function eventName(argument: ts.Expression | undefined, checker: ts.TypeChecker): string | undefined {
  if (!argument) return undefined;
  const node = unwrap(argument);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node)) return undefined;
  const type = checker.getTypeAtLocation(node);
  return type.isStringLiteral() ? type.value : undefined;
}

/** The class a `this` stands for where it is written (a method, a constructor, a field's arrow). */
function enclosingClass(node: ts.Node, checker: ts.TypeChecker): ts.Symbol | undefined {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    // A `function` has its own `this`; an arrow keeps its class's.
    if (ts.isFunctionDeclaration(at) || ts.isFunctionExpression(at)) return undefined;
    if (ts.isClassLike(at)) return at.name ? checker.getSymbolAtLocation(at.name) : undefined;
  }
  return undefined;
}

/** How many aliases and parameters an emitter is followed through. */
const maxAliasHops = 4;

/**
 * Who an emitter is: `bus` (its variable, through imports), `this.events`
 * (the field), `this` (the class). A const that aliases another
 * (`const events = bus`) is that one too, and a parameter
 * (`function register(b) { b.on(…) }`) is whatever the program passes for it.
 */
function emittersOf(
  receiver: ts.Expression,
  checker: ts.TypeChecker,
  passed: ParameterArguments,
  hops = 0,
): ts.Symbol[] {
  const node = unwrap(receiver);
  if (node.kind === ts.SyntaxKind.ThisKeyword) return [enclosingClass(node, checker)].filter((s) => s !== undefined);
  if (ts.isPropertyAccessExpression(node)) return [symbolOf(node.name, checker)].filter((s) => s !== undefined);
  const own = ts.isIdentifier(node) ? symbolOf(node, checker) : undefined;
  if (!own) return [];
  const declaration = own.valueDeclaration;
  if (hops >= maxAliasHops || !declaration) return [own];
  const further = (values: readonly ts.Expression[]) => values.flatMap((v) => emittersOf(v, checker, passed, hops + 1));
  if (ts.isParameter(declaration)) return [own, ...further(passed.of(declaration))];
  const init = ts.isVariableDeclaration(declaration) && isConst(declaration) ? declaration.initializer : undefined;
  const aliased = init && unwrap(init);
  return aliased && (ts.isIdentifier(aliased) || ts.isPropertyAccessExpression(aliased))
    ? [own, ...further([aliased])]
    : [own];
}

/** The class of an expression's type and the classes it extends: an `audit` of type `AuditLog` is one. */
function classesOf(receiver: ts.Expression, checker: ts.TypeChecker): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  let type: ts.Type | undefined = checker.getTypeAtLocation(receiver);
  for (let depth = 0; type && depth < 6; depth++) {
    const symbol = type.getSymbol();
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Class)) break;
    found.push(symbol);
    type = type.isClassOrInterface() ? checker.getBaseTypes(type)[0] : undefined;
  }
  return found;
}

/**
 * Which listeners an `emit` runs: those registered with `on` / `once` /
 * `addListener` for the same event name on the same emitter object — the
 * same variable or field (through imports), or `this.on(…)` in a class the
 * emitter is an instance of. An EventEmitter calls its listeners
 * synchronously and drops what they return, so a listener's promise is
 * awaited by nobody. Built once a program, on the first `emit` asked about.
 */
export class EmitterListeners {
  #byEvent: Map<string, Registration[]> | undefined;

  constructor(
    private readonly files: readonly ts.SourceFile[],
    private readonly checker: ts.TypeChecker,
    private readonly functionOf: (expression: ts.Expression) => FunctionNode | undefined,
    private readonly passed: ParameterArguments,
  ) {}

  /** The listeners `call` runs, if it is an `x.emit('event', …)` of a known event; empty otherwise. */
  listenersOf(call: ts.CallExpression): FunctionNode[] {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'emit') return [];
    const event = eventName(call.arguments[0], this.checker);
    const candidates = event === undefined ? undefined : this.#index().get(event);
    if (!candidates) return [];
    const emitters = emittersOf(callee.expression, this.checker, this.passed);
    let classes: ts.Symbol[] | undefined;
    const runs = candidates.filter((r) => {
      if (emitters.includes(r.emitter)) return true;
      // `audit.emit(…)` with `this.on(…)` in class AuditLog (or a class it extends), and the other way round.
      classes ??= classesOf(callee.expression, this.checker);
      if (classes.includes(r.emitter)) return true;
      return emitters.some((e) => e.flags & ts.SymbolFlags.Class && classesOf(r.receiver, this.checker).includes(e));
    });
    return [...new Set(runs.map((r) => r.fn))];
  }

  #index(): Map<string, Registration[]> {
    if (this.#byEvent) return this.#byEvent;
    const index = new Map<string, Registration[]>();
    for (const file of this.files) {
      if (!mayRegister(file.text)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) this.#register(node, index);
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    return (this.#byEvent = index);
  }

  #register(call: ts.CallExpression, index: Map<string, Registration[]>): void {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !registering.has(callee.name.text)) return;
    const listener = call.arguments[1];
    const event = listener && eventName(call.arguments[0], this.checker);
    const fn = event === undefined ? undefined : this.functionOf(listener!);
    if (!fn || event === undefined) return;
    const registered = emittersOf(callee.expression, this.checker, this.passed).map((emitter) => ({
      emitter,
      receiver: callee.expression,
      fn,
    }));
    index.set(event, [...(index.get(event) ?? []), ...registered]);
  }
}
