import ts from 'typescript';
import { appliedAnswersBetween, runsOnlyWhenApplied } from '../applied-sense.ts';
import { lookupTable } from '../lookup-table.ts';
import { parseCqlWrite, unknownPartFor } from '../cql.ts';
import { calleeName, isFunctionNode, resolveCallee, resolveName, unwrap, type FunctionNode } from './resolve.ts';
import { calledHelpers, throughHelper } from './called-helpers.ts';
import { FirstFound } from './first-found.ts';
import { Overrides } from './overrides.ts';
import { maxCallDepth } from './nondet.ts';
import { returnedExpressions } from './returned-expressions.ts';

/** A CQL counter update (`SET c = c + ?`) a function sends, and how it is reached from there. */
export interface CounterUpdate {
  readonly table: string;
  readonly column: string;
  /** The driver call in the function, or the call of the helper that leads to it. */
  readonly at: ts.Node;
  /** Helpers between `at` and the driver call, outermost first. */
  readonly via: readonly string[];
}

/** Where each driver method takes its CQL (cassandra-driver; `query` for drivers of other stores). */
export const queryArgument = lookupTable<number>({
  execute: 0,
  eachRow: 0,
  stream: 0,
  batch: 0,
  query: 0,
  executeConcurrent: 1,
});

/** The method a call sends CQL with, without bluebird's `Async` suffix; undefined for other calls. */
export function driverMethod(call: ts.CallExpression): string | undefined {
  const name = calleeName(call.expression)
    ?.getText()
    .replace(/Async$/, '');
  if (name === undefined || !(name in queryArgument)) return undefined;
  return ts.isPropertyAccessExpression(unwrap(call.expression)) || name === 'executeConcurrent' ? name : undefined;
}

const conditionalInsert = /^\s*INSERT\b[\s\S]*\bIF\s+NOT\s+EXISTS\s*;?\s*$/i;

/**
 * Finds the counter updates functions send, directly or through helpers of
 * the program (to a bound depth), reading their CQL where it is written:
 * literals, templates, consts, `{ query }` objects, arrays of statements,
 * statements built with `.map(…)`, helpers that return them. Summaries are
 * kept per function. Never runs the code.
 */
export class CounterUpdates {
  readonly #found = new FirstFound<CounterUpdate>();

  /** What the program passes for a parameter (call-sites.ts), when the program is known. */
  passedFor: ((parameter: ts.ParameterDeclaration) => readonly ts.Expression[]) | undefined;

  /** To find the overrides of an abstract method (overrides.ts); without it they are not followed. */
  program: ts.Program | undefined;

  constructor(readonly checker: ts.TypeChecker) {}

  #overrides: Overrides | undefined;

  /** A function, or for an abstract method the overrides of the classes the program makes (overrides.ts). */
  #bodies(fn: FunctionNode): readonly FunctionNode[] {
    if (fn.body || !this.program || !ts.isMethodDeclaration(fn)) return [fn];
    this.#overrides ??= new Overrides(this.program, this.checker);
    return this.#overrides.of(fn) ?? [];
  }

  /** The first counter update `fn` sends, itself or through what it calls; undefined when it sends none we can read. */
  inFunction(fn: FunctionNode, depth = 0): CounterUpdate | undefined {
    return this.#found.in(fn, (node) =>
      ts.isCallExpression(node) ? (this.#sent(node, fn) ?? this.#reached(node, depth)) : undefined,
    );
  }

  /** A driver call of `fn` that sends a counter update not guarded by a de-duplication row. */
  #sent(call: ts.CallExpression, fn: FunctionNode): CounterUpdate | undefined {
    const method = driverMethod(call);
    const query = method === undefined ? undefined : call.arguments[queryArgument[method]!];
    if (!query) return undefined;
    for (const cql of this.cqlTexts(query, 0)) {
      const write = parseCqlWrite(cql);
      const column = write?.counterDeltas[0];
      if (write && column && !this.#guarded(call, fn))
        return { table: write.table, column, at: calleeName(call.expression) ?? call, via: [] };
    }
    return undefined;
  }

  /** A helper called here (or passed by name as a callback) that sends a counter update. */
  #reached(call: ts.CallExpression, depth: number): CounterUpdate | undefined {
    if (depth >= maxCallDepth) return undefined;
    for (const [at, target] of calledHelpers(call, this.checker, () => this.#methodOfInstance(call)))
      for (const body of this.#bodies(target)) {
        const inner = this.inFunction(body, depth + 1);
        if (inner) return throughHelper(at, inner);
      }
    return undefined;
  }

  /**
   * `store.add(rows)` on an instance of a class of the program: the call
   * graph leaves methods of values alone (typing every receiver is costly),
   * but a sink's write is read once, so its receivers are typed here.
   */
  #methodOfInstance(call: ts.CallExpression): FunctionNode | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = resolveName(callee.name, this.checker);
    return method.kind === 'function' ? method.node : abstractMethod(callee, this.checker);
  }

  /**
   * `INSERT … IF NOT EXISTS` sent earlier in the same function and its
   * `wasApplied()` tested before the update so that it runs only when the row
   * was new (applied-sense.ts, the lint's reading too): a repeated row finds its
   * de-duplication row and skips the delta (the lint's category 5 guard).
   */
  #guarded(counter: ts.CallExpression, fn: FunctionNode): boolean {
    let guard: ts.CallExpression | undefined;
    const visit = (node: ts.Node): void => {
      if (guard || node.getStart() >= counter.getStart()) return;
      if (ts.isCallExpression(node) && driverMethod(node) !== undefined) {
        const query = node.arguments[queryArgument[driverMethod(node)!]!];
        if (query && this.cqlTexts(query, 0).some((cql) => conditionalInsert.test(cql))) guard = node;
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    if (!guard) return false;
    // Its answer read between the two and tested the right way: `if (rs.wasApplied()) return;` lets repeats through.
    const before = counter.getStart();
    return appliedAnswersBetween(fn, guard, before).some((answer) => runsOnlyWhenApplied(answer, before));
  }

  /** Every CQL text an expression may hold. */
  cqlTexts(expression: ts.Expression, depth: number): string[] {
    if (depth > maxCallDepth) return [];
    const node = unwrap(expression);
    const more = (e: ts.Expression) => this.cqlTexts(e, depth + 1);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
    // A part read from a const (`${TABLE}`) is its text; one that cannot be read names an unknown table, not a table `x`.
    if (ts.isTemplateExpression(node))
      return [
        node.head.text +
          node.templateSpans
            .map((s) => (more(s.expression)[0] ?? unknownPartFor(s.expression.getText())) + s.literal.text)
            .join(''),
      ];
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const [left, right] = [
        more(node.left)[0] ?? unknownPartFor(node.left.getText()),
        more(node.right)[0] ?? unknownPartFor(node.right.getText()),
      ];
      return [left + right];
    }
    if (ts.isConditionalExpression(node)) return [...more(node.whenTrue), ...more(node.whenFalse)];
    if (ts.isTaggedTemplateExpression(node)) return [this.#taggedText(node, depth)];
    if (ts.isArrayLiteralExpression(node))
      return node.elements.flatMap((e) => (ts.isSpreadElement(e) ? more(e.expression) : more(e)));
    if (ts.isObjectLiteralExpression(node)) {
      const query = node.properties.find((p) => p.name?.getText() === 'query');
      if (query && ts.isPropertyAssignment(query)) return more(query.initializer);
      if (query && ts.isShorthandPropertyAssignment(query)) return more(query.name);
      return [];
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) return this.#named(node, depth);
    if (ts.isElementAccessExpression(node)) return this.#picked(node, depth);
    if (ts.isCallExpression(node)) return this.#built(node, depth);
    return [];
  }

  /**
   * ``String.raw`UPDATE t SET n = n + ? WHERE k = ?` `` is the text it writes, its parts spliced in; a statement
   * tag of a library (``cql`UPDATE t SET n = n + ${d} WHERE k = ${k}` ``) binds each part, read as `?`.
   */
  #taggedText(node: ts.TaggedTemplateExpression, depth: number): string {
    const { template } = node;
    if (ts.isNoSubstitutionTemplateLiteral(template)) return template.text;
    const spliced = unwrap(node.tag).getText().replace(/\s+/g, '') === 'String.raw';
    const part = (e: ts.Expression) =>
      spliced ? (this.cqlTexts(e, depth + 1)[0] ?? unknownPartFor(e.getText())) : '?';
    return template.head.text + template.templateSpans.map((s) => part(s.expression) + s.literal.text).join('');
  }

  /**
   * `Q[MODE]`, `Q['bump']` of a const table of statements (`const Q = { upsert: 'INSERT …', bump: 'UPDATE … n = n + ?' }`):
   * the statement under the key, read from a literal or a const; under a key that cannot be read (`Q[row.kind]`),
   * any statement of the table may run.
   */
  #picked(node: ts.ElementAccessExpression, depth: number): string[] {
    const receiver = unwrap(node.expression);
    const symbol = ts.isIdentifier(receiver) ? this.checker.getSymbolAtLocation(receiver) : undefined;
    const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    const declaration = target?.valueDeclaration;
    const table =
      declaration && ts.isVariableDeclaration(declaration) && declaration.initializer
        ? unwrap(declaration.initializer)
        : undefined;
    if (!table || !ts.isObjectLiteralExpression(table)) return [];
    const keys = this.cqlTexts(node.argumentExpression, depth + 1);
    const entries = table.properties.filter(ts.isPropertyAssignment);
    const keyOf = (p: ts.PropertyAssignment) =>
      ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : undefined;
    const chosen = keys.length > 0 ? entries.filter((p) => keys.includes(keyOf(p) ?? '')) : entries;
    return chosen.flatMap((p) => this.cqlTexts(p.initializer, depth + 1));
  }

  /** A variable's value (`const q = '…'`, `let q = …`) or an object's property (`CQL.bump`). */
  #named(node: ts.Identifier | ts.PropertyAccessExpression, depth: number): string[] {
    const name = ts.isIdentifier(node) ? node : node.name;
    const symbol = this.checker.getSymbolAtLocation(name);
    const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    const declaration = target?.valueDeclaration;
    if (!declaration) return [];
    // Also a class's field (`static readonly RESERVE = 'UPDATE …'`, `private readonly bump = '…'`).
    const initialized =
      ts.isVariableDeclaration(declaration) ||
      ts.isPropertyAssignment(declaration) ||
      ts.isPropertyDeclaration(declaration);
    if (initialized && declaration.initializer) return this.cqlTexts(declaration.initializer, depth + 1);
    // `cql` of a sink factory `cqlSink(name, cql, bind)`: every statement the program hands it.
    if (ts.isParameter(declaration) && this.passedFor && depth < maxCallDepth)
      return this.passedFor(declaration).flatMap((given) => this.cqlTexts(given, depth + 1));
    // `const [cql, params] = this.statement(row)`: the texts of what it is taken from.
    const whole = ts.isBindingElement(declaration) ? ts.findAncestor(declaration, ts.isVariableDeclaration) : undefined;
    return whole?.initializer ? this.cqlTexts(whole.initializer, depth + 1) : [];
  }

  /** Statements made by a call: `rows.map((r) => ({ query, params }))`, a helper that returns them. */
  #built(call: ts.CallExpression, depth: number): string[] {
    const callee = unwrap(call.expression);
    // `['UPDATE t SET', 'n', '=', 'n', '+ ?'].join(' ')`: the statement its words make.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'join') {
      const words = this.cqlTexts(callee.expression, depth + 1);
      const separator = call.arguments[0] ? this.cqlTexts(call.arguments[0], depth + 1)[0] : ',';
      return separator === undefined ? [] : [words.join(separator)];
    }
    const callback = call.arguments[0] && unwrap(call.arguments[0]);
    let fn: FunctionNode | undefined;
    if (ts.isPropertyAccessExpression(callee) && /^(map|flatMap)$/.test(callee.name.text) && callback)
      fn = isFunctionNode(callback) ? callback : this.#functionOf(callback);
    else {
      const resolved = resolveCallee(call, this.checker);
      fn =
        resolved.kind === 'function'
          ? resolved.node
          : ts.isPropertyAccessExpression(callee)
            ? abstractMethod(callee, this.checker)
            : undefined;
    }
    const bodies = fn ? this.#bodies(fn) : [];
    return bodies.flatMap((body) => returnedExpressions(body).flatMap((e) => this.cqlTexts(e, depth + 1)));
  }

  #functionOf(node: ts.Expression): FunctionNode | undefined {
    const resolved = ts.isIdentifier(node) ? resolveName(node, this.checker) : undefined;
    return resolved?.kind === 'function' ? resolved.node : undefined;
  }
}

/** `this.statement(row)` of `protected abstract statement(row: R): …`: the declaration its overrides implement. */
function abstractMethod(callee: ts.PropertyAccessExpression, checker: ts.TypeChecker): FunctionNode | undefined {
  const declaration = checker.getSymbolAtLocation(callee.name)?.valueDeclaration;
  return declaration && ts.isMethodDeclaration(declaration) && !declaration.body ? declaration : undefined;
}

const perChecker = new WeakMap<ts.TypeChecker, CounterUpdates>();

/** One analysis a program (its checker), so summaries are computed once however many sinks ask. */
export function counterUpdates(
  checker: ts.TypeChecker,
  passedFor?: (parameter: ts.ParameterDeclaration) => readonly ts.Expression[],
  program?: ts.Program,
): CounterUpdates {
  let found = perChecker.get(checker);
  if (!found) {
    found = new CounterUpdates(checker);
    perChecker.set(checker, found);
  }
  found.passedFor ??= passedFor;
  found.program ??= program;
  return found;
}
