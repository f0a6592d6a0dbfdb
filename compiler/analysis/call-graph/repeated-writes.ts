import ts from 'typescript';
import { kindOf, nondeterministicValue } from '../clock-and-randomness.ts';
import { parseCqlWrite, type CqlWrite } from '../cql.ts';
import { counterUpdates, driverMethod, queryArgument } from './counter-updates.ts';
import { outlivesCalls } from './outliving-state.ts';
import { calleeName, resolveName, unwrap, type FunctionNode } from './resolve.ts';
import { calledHelpers, throughHelper } from './called-helpers.ts';
import { FirstFound } from './first-found.ts';
import { maxCallDepth } from './nondet.ts';
import { storeDelta } from './store-deltas.ts';

/** A write that a repetition applies again: what it does, where, and through which helpers. */
export interface RepeatedWrite {
  /** e.g. "appends a row keyed by CQL now() to web.page_log". */
  readonly what: string;
  /** The write in the function, or the call of the helper that leads to it. */
  readonly at: ts.Node;
  readonly via: readonly string[];
}

const generatedKey = /^(now|uuid)\(\)$/i;
const appends = /^(appendFile|appendFileSync)$/;

/** Node's writers and openers given an append mode: `writeFile(p, d, { flag: 'a' })`, `createWriteStream(p, { flags: 'a' })`, `open(p, 'a')`. */
const fileOpeners = /(^|\.)(writeFile|writeFileSync|createWriteStream|open|openSync)$/;

function opensToAppend(call: ts.CallExpression, name: string): boolean {
  if (!fileOpeners.test(name)) return false;
  const appendMode = (mode: ts.Node) => ts.isStringLiteralLike(mode) && mode.text.startsWith('a');
  return call.arguments.some((arg) => {
    const value = unwrap(arg);
    if (appendMode(value)) return /(^|\.)open(Sync)?$/.test(name);
    return (
      ts.isObjectLiteralExpression(value) &&
      value.properties.some(
        (p) => ts.isPropertyAssignment(p) && /^flags?$/.test(p.name.getText()) && appendMode(unwrap(p.initializer)),
      )
    );
  });
}

/**
 * `INSERT INTO t (id, body) VALUES (?, ?)` bound to `[randomUUID(), …]`: a random id written out for the first
 * column, where tables put their key (no schema is at hand), makes a new row on every repeat. A random value in a
 * later column, or the clock anywhere, is left alone: a trace id or a time stamp beside the key.
 */
function freshBoundKey(write: CqlWrite, params: ts.Expression): string | undefined {
  const first = write.values[0];
  const values = unwrap(params);
  if (write.verb !== 'insert' || typeof first?.marker !== 'number' || !ts.isArrayLiteralExpression(values))
    return undefined;
  const bound = values.elements[first.marker];
  const what = bound && nondeterministicValue(unwrap(bound));
  return what && kindOf(what) === 'random' ? `${what} bound to \`${first.column}\`` : undefined;
}

/**
 * Writes other than a counter delta that a repeated call applies twice,
 * read from a function's body and the helpers it calls (to a bound depth):
 * an INSERT under a key CQL makes anew (`VALUES (?, now(), ?)`) or a random id bound to its first column, a value
 * read by a SELECT and written back changed (`SET total = ?` bound to
 * `current + r.value`), a line appended to a file, and a total kept for the
 * process that each call adds to (`totals.set(k, (totals.get(k) ?? 0) + v)`,
 * `sums[k] += v`). Never runs the code.
 */
export class RepeatedWrites {
  readonly #found = new FirstFound<RepeatedWrite>();

  constructor(readonly checker: ts.TypeChecker) {}

  inFunction(fn: FunctionNode, depth = 0): RepeatedWrite | undefined {
    return this.#found.in(
      fn,
      (node) => this.#own(node, fn) ?? (ts.isCallExpression(node) ? this.#reached(node, depth) : undefined),
    );
  }

  #own(node: ts.Node, fn: FunctionNode): RepeatedWrite | undefined {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression)?.getText();
      if (name !== undefined && (appends.test(name) || opensToAppend(node, name)))
        return { what: 'appends to a file', at: calleeName(node.expression)!, via: [] };
      const delta = storeDelta(node);
      if (delta) return { ...delta, via: [] };
      return this.#cqlWrite(node, fn) ?? this.#accumulated(node);
    }
    return this.#addedInPlace(node);
  }

  /** A driver call whose INSERT keys the row by CQL `now()`/`uuid()`, or whose bound value is a read value changed. */
  #cqlWrite(call: ts.CallExpression, fn: FunctionNode): RepeatedWrite | undefined {
    const method = driverMethod(call);
    const query = method === undefined ? undefined : call.arguments[queryArgument[method]!];
    if (!query) return undefined;
    const at = calleeName(call.expression) ?? call;
    for (const cql of counterUpdates(this.checker).cqlTexts(query, 0)) {
      const write = parseCqlWrite(cql);
      if (!write) continue;
      const made = write.values.find(
        (v) => generatedKey.test(v.text.trim()) && (write.verb === 'insert' || write.whereColumns.includes(v.column)),
      );
      if (made) return { what: `adds a row keyed by CQL ${made.text.trim()} to ${write.table}`, at, via: [] };
      const params = call.arguments[queryArgument[method!]! + 1];
      const fresh = params && freshBoundKey(write, params);
      if (fresh) return { what: `adds a row keyed by ${fresh} to ${write.table}`, at, via: [] };
      const changed = params && this.#changedReadValue(params, fn);
      if (changed)
        return { what: `writes back to ${write.table} a value it read and changed (\`${changed}\`)`, at, via: [] };
    }
    return undefined;
  }

  /** `current + r.value` among the bound values, with `current` taken from what a SELECT of this function returned. */
  #changedReadValue(params: ts.Expression, fn: FunctionNode): string | undefined {
    const values = unwrap(params);
    if (!ts.isArrayLiteralExpression(values)) return undefined;
    for (const value of values.elements) {
      const v = unwrap(value);
      if (!ts.isBinaryExpression(v)) continue;
      const op = v.operatorToken.kind;
      if (op !== ts.SyntaxKind.PlusToken && op !== ts.SyntaxKind.MinusToken) continue;
      if (this.#fromSelect(v.left, fn, 0) || this.#fromSelect(v.right, fn, 0)) return v.getText();
    }
    return undefined;
  }

  /** Does the expression carry a value a SELECT sent by `fn` returned (through its locals)? */
  #fromSelect(node: ts.Node, fn: FunctionNode, hops: number): boolean {
    if (hops > 4) return false;
    if (ts.isCallExpression(node) && driverMethod(node) !== undefined) {
      const query = node.arguments[queryArgument[driverMethod(node)!]!];
      return (
        !!query &&
        counterUpdates(this.checker)
          .cqlTexts(query, 0)
          .some((cql) => /^\s*SELECT\b/i.test(cql))
      );
    }
    if (ts.isIdentifier(node)) {
      const resolved = resolveName(node, this.checker);
      if (resolved.kind !== 'variable' || !ts.findAncestor(resolved.node, (n) => n === fn)) return false;
      const init = resolved.node.initializer;
      return !!init && this.#fromSelect(init, fn, hops + 1);
    }
    return ts.forEachChild(node, (child) => this.#fromSelect(child, fn, hops) || undefined) ?? false;
  }

  /** `totals.set(k, (totals.get(k) ?? 0) + v)` on a map kept for the process. */
  #accumulated(call: ts.CallExpression): RepeatedWrite | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'set') return undefined;
    const map = unwrap(callee.expression);
    const value = call.arguments[1] && unwrap(call.arguments[1]);
    if (!ts.isIdentifier(map) || !value || !ts.isBinaryExpression(value)) return undefined;
    if (value.operatorToken.kind !== ts.SyntaxKind.PlusToken && value.operatorToken.kind !== ts.SyntaxKind.MinusToken)
      return undefined;
    const readsItself = new RegExp(`\\b${map.text}\\s*\\.\\s*get\\s*\\(`).test(value.getText());
    return readsItself && this.#kept(map)
      ? { what: `adds to the total it keeps in \`${map.text}\``, at: call, via: [] }
      : undefined;
  }

  /** `sums[k] += v`, `stats.total += v` on an object kept for the process. */
  #addedInPlace(node: ts.Node): RepeatedWrite | undefined {
    if (!ts.isBinaryExpression(node)) return undefined;
    const op = node.operatorToken.kind;
    if (op !== ts.SyntaxKind.PlusEqualsToken && op !== ts.SyntaxKind.MinusEqualsToken) return undefined;
    const target = unwrap(node.left);
    if (!ts.isElementAccessExpression(target) && !ts.isPropertyAccessExpression(target)) return undefined;
    const owner = unwrap(target.expression);
    return ts.isIdentifier(owner) && this.#kept(owner)
      ? { what: `adds to the total it keeps in \`${owner.text}\``, at: node, via: [] }
      : undefined;
  }

  /** A variable that outlives the write: declared at module level (or kept by a module-level closure). */
  #kept(name: ts.Identifier): boolean {
    const resolved = resolveName(name, this.checker);
    return resolved.kind === 'variable' && outlivesCalls(resolved.node);
  }

  /** A helper of the program called here, or passed by name, that makes such a write. */
  #reached(call: ts.CallExpression, depth: number): RepeatedWrite | undefined {
    if (depth >= maxCallDepth) return undefined;
    for (const [at, target] of calledHelpers(call, this.checker)) {
      const inner = this.inFunction(target, depth + 1);
      if (inner) return throughHelper(at, inner);
    }
    return undefined;
  }
}

const perChecker = new WeakMap<ts.TypeChecker, RepeatedWrites>();

/** One analysis a program (its checker), so summaries are computed once however many sinks ask. */
export function repeatedWrites(checker: ts.TypeChecker): RepeatedWrites {
  let found = perChecker.get(checker);
  if (!found) perChecker.set(checker, (found = new RepeatedWrites(checker)));
  return found;
}
