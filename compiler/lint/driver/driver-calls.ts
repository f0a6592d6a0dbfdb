import {
  Node,
  SyntaxKind,
  ts,
  type CallExpression,
  type Identifier,
  type ParenthesizedExpression,
  type SourceFile,
} from 'ts-morph';
import { callsWhere, methodCalls, wrapInProject } from '../find-nodes.ts';
import { forwardedCalls, type ArgumentPlaces } from './forwarded-cql.ts';
import { propertyOf, type AbstractValue } from '../abstract-value.ts';
import type { StaticEvaluator } from '../static-eval.ts';
import { parseCqlWrite, type CqlWrite } from '../../analysis/cql.ts';
import { constInitializer, possibleCql, variableOf } from './cql-text.ts';
import { builtParams, pushedParams } from './built-params.ts';
import { returnedStatement } from './held-query.ts';
import { promisifiedCalls, promisifiedMethod } from './promisified-driver.ts';

/** One statement a driver call sends: its CQL, the node holding it, and its parameters' nodes when written out. */
export interface SentStatement {
  readonly cql: string;
  readonly write: CqlWrite | undefined;
  readonly queryNode: Node;
  /** `[a, b]` elements for `?` markers, or `{ name: v }` properties for named markers. */
  readonly params: ReadonlyMap<number | string, Node> | undefined;
}

export interface DriverCall {
  readonly call: CallExpression;
  /** The method's name node: where findings about the call point. */
  readonly name: Node;
  /** The driver method, without bluebird's `Async` suffix. */
  readonly method: keyof typeof argumentIndex;
  readonly statements: readonly SentStatement[];
  /** The call's query options (`{ prepare, isIdempotent, … }`), merged over the client's defaults when known. */
  readonly isIdempotent: boolean;
  /** For the call of a helper that hands its query to the driver: the driver call inside it (a retry there counts). */
  readonly through?: CallExpression;
}

/** Where each method takes its query, parameters and options. `executeConcurrent(client, query, paramsList, options)` (its list form is read apart). */
const argumentIndex = {
  execute: { query: 0, params: 1, options: 2 },
  eachRow: { query: 0, params: 1, options: 2 },
  stream: { query: 0, params: 1, options: 2 },
  batch: { query: 0, params: undefined, options: 1 },
  executeConcurrent: { query: 1, params: undefined, options: 3 },
} as const;
/** bluebird's promisifyAll adds `executeAsync`, `batchAsync`, `eachRowAsync`: the same calls, promised. */
const promisified = /Async$/;
const driverMethods: ReadonlySet<string> = new Set(Object.keys(argumentIndex).flatMap((m) => [m, `${m}Async`]));
const isDriverMethod = (name: string): name is DriverCall['method'] => name in argumentIndex;
/** The methods a helper may forward its query to, by the name it is called with (promisified too). */
const forwardedMethods: ReadonlyMap<string, ArgumentPlaces> = new Map(
  (['execute', 'eachRow', 'stream', 'batch'] as const).flatMap((m) => [
    [m, argumentIndex[m]],
    [`${m}Async`, argumentIndex[m]],
  ]),
);

/** `this.client` → the class field's initializer (`private readonly client = new Client(…)`). */
function fieldInitializer(access: Node): Node | undefined {
  const declaration = access.getSymbol()?.getDeclarations()[0];
  return declaration && Node.isPropertyDeclaration(declaration) ? declaration.getInitializer() : undefined;
}

function paramsOf(node: Node | undefined, sentAt?: Node): ReadonlyMap<number | string, Node> | undefined {
  if (!node) return undefined;
  if (Node.isIdentifier(node)) {
    const init = constInitializer(node);
    const name = variableNameOf(node);
    // `const params = [tenant]; params.push(Date.now())`: the pushes made before the call, in order.
    if (init && Node.isArrayLiteralExpression(init) && name && sentAt)
      return positions(pushedParams(name, init, sentAt));
    return paramsOf(init);
  }
  const built = builtParams(node, constInitializer);
  if (built) return positions(built);
  if (Node.isArrayLiteralExpression(node)) return new Map(node.getElements().map((e, i) => [i, e] as const));
  if (Node.isObjectLiteralExpression(node)) {
    const out = new Map<number | string, Node>();
    for (const p of node.getProperties())
      if (Node.isPropertyAssignment(p) && p.getInitializer()) out.set(p.getName(), p.getInitializer()!);
    return out;
  }
  return undefined;
}

const positions = (values: readonly Node[]) => new Map(values.map((value, i) => [i, value] as const));

/** The name a const is declared with, for finding its other uses. */
function variableNameOf(identifier: Node): Identifier | undefined {
  const name = variableOf(identifier)?.getNameNode();
  return name && Node.isIdentifier(name) ? name : undefined;
}

/** The statements a query may be: its text when known, else each text it may hold (cql-text.ts). */
function statementsOf(queryNode: Node, paramsNode: Node | undefined, evaluator: StaticEvaluator): SentStatement[] {
  const params = paramsOf(paramsNode, queryNode);
  return possibleCql(queryNode, evaluator).map((cql) => ({ cql, write: parseCqlWrite(cql), queryNode, params }));
}

/**
 * `rows.map((r) => ({ query, params }))`, or `Array.from(rows, (r) => …)`: the statements the callback returns, one
 * shape for every row (for `flatMap`, each element of the array it returns).
 */
function mappedItems(node: Node): Node[] {
  if (!Node.isCallExpression(node)) return [];
  const callee = node.getExpression();
  const arrayFrom = callee.getText().replace(/\s+/g, '') === 'Array.from';
  const callback = node.getArguments()[arrayFrom ? 1 : 0];
  if (!arrayFrom && (!Node.isPropertyAccessExpression(callee) || !['map', 'flatMap'].includes(callee.getName())))
    return [];
  if (!callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return [];
  const body = callback.getBody();
  const returned = !Node.isBlock(body)
    ? [body.getKind() === SyntaxKind.ParenthesizedExpression ? (body as ParenthesizedExpression).getExpression() : body]
    : body
        .getDescendantsOfKind(SyntaxKind.ReturnStatement)
        .flatMap((r) => r.getExpression() ?? [])
        .map((e) => (Node.isParenthesizedExpression(e) ? e.getExpression() : e));
  // `tallies.flatMap((t) => [bySku(t), byStore(t)])`: each element of the array returned is an item of the list.
  const flat = Node.isPropertyAccessExpression(callee) && callee.getName() === 'flatMap';
  return returned.flatMap((e) => (flat && Node.isArrayLiteralExpression(e) ? e.getElements() : [e]));
}

/**
 * `queries.push({ query: INCR, params })` in a loop before `client.batch(queries, …)`: the items
 * pushed onto the array the name holds, in the function (or file) that declares it.
 */
function pushedItems(list: Node): Node[] {
  const symbol = list.getSymbol();
  const declaration = symbol?.getDeclarations()[0];
  if (!symbol || !declaration || !Node.isVariableDeclaration(declaration)) return [];
  const scope =
    declaration.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a)) ??
    declaration.getSourceFile();
  return scope.getDescendantsOfKind(SyntaxKind.CallExpression).flatMap((call) => {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !['push', 'unshift'].includes(callee.getName())) return [];
    const receiver = callee.getExpression();
    return Node.isIdentifier(receiver) && receiver.getSymbol() === symbol ? call.getArguments() : [];
  });
}

/**
 * `executeConcurrent(client, cql, paramsList)`: every row of the list binds the same columns, so one
 * row stands for all — the first of a literal list, or what `messages.map((m) => [key, …])` returns.
 */
function concurrentParams(given: Node | undefined): Node | undefined {
  const list = given && Node.isIdentifier(given) ? (constInitializer(given) ?? given) : given;
  if (!list) return undefined;
  const rows = Node.isArrayLiteralExpression(list) ? list.getElements() : mappedItems(list);
  return rows[0];
}

function batchStatements(list: Node | undefined, evaluator: StaticEvaluator): SentStatement[] {
  const named = list && Node.isIdentifier(list) ? list : undefined;
  const array = named ? constInitializer(named) : list;
  const pushed = named ? pushedItems(named) : [];
  if (!array && pushed.length === 0) return [];
  const written = !array ? [] : Node.isArrayLiteralExpression(array) ? array.getElements() : mappedItems(array);
  const items = [...written, ...pushed];
  return items.flatMap((listed) => {
    // `deltas.map((d) => d.toStatement())`: the `{ query, params }` the method returns.
    const item = returnedStatement(listed) ?? listed;
    if (Node.isObjectLiteralExpression(item)) {
      const query = item.getProperty('query');
      const params = item.getProperty('params');
      if (!query || !Node.isPropertyAssignment(query)) return [];
      return statementsOf(
        query.getInitializerOrThrow(),
        params && Node.isPropertyAssignment(params) ? params.getInitializer() : undefined,
        evaluator,
      );
    }
    return statementsOf(item, undefined, evaluator);
  });
}

const isTrue = (value: AbstractValue) => value.type === 'literal' && value.value === true;

/** `new Client({ queryOptions: { isIdempotent: true } })` makes every query idempotent unless it says otherwise. */
function clientDefaultsIdempotent(receiver: Node, evaluator: StaticEvaluator): boolean {
  const init = Node.isIdentifier(receiver)
    ? constInitializer(receiver)
    : Node.isPropertyAccessExpression(receiver)
      ? fieldInitializer(receiver)
      : undefined;
  if (!init || !Node.isNewExpression(init)) return false;
  const options = init.getArguments()[0];
  return (
    options !== undefined && isTrue(propertyOf(propertyOf(evaluator.evaluate(options), 'queryOptions'), 'isIdempotent'))
  );
}

/**
 * cassandra-driver calls that send CQL we can read: `client.execute(cql,
 * params, options)`, `client.batch([{ query, params }], options)`,
 * `eachRow`, `stream`, their bluebird-promisified `…Async` twins, and
 * `executeConcurrent(client, cql, paramsList, options)`. The CQL must be a string we can see (a literal, a
 * const, a template); a query built at run time is skipped.
 */
export function driverCalls(file: SourceFile, evaluator: StaticEvaluator): DriverCall[] {
  const calls: DriverCall[] = [];
  const concurrent = callsWhere(
    file,
    (n) => ts.isIdentifier(n.expression) && n.expression.text === 'executeConcurrent',
  );
  for (const call of [...methodCalls(file, driverMethods), ...concurrent]) {
    const callee = call.getExpression();
    const nameNode = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
    const method = nameNode.getText().replace(promisified, '');
    if (!isDriverMethod(method)) continue;
    const receiver =
      method === 'executeConcurrent'
        ? call.getArguments()[0]
        : Node.isPropertyAccessExpression(callee)
          ? callee.getExpression()
          : undefined;
    const read = readDriverCall(call, nameNode, method, receiver, evaluator);
    if (read) calls.push(read);
  }
  // `exec(cql, params)` of `const exec = promisify(client.execute.bind(client))`: the method it was taken from.
  for (const call of promisifiedCalls(file)) {
    const taken = promisifiedMethod(call);
    const method = taken?.method.replace(promisified, '');
    if (!taken || !method || !isDriverMethod(method) || method === 'executeConcurrent') continue;
    const read = readDriverCall(call, call.getExpression(), method, taken.receiver, evaluator);
    if (read) calls.push(read);
  }
  // `run('UPDATE … SET n = n + 1 …', [page])` of a helper that hands its parameter to the driver as the query.
  for (const { call, name, forwarder } of forwardedCalls(file, forwardedMethods)) {
    const method = forwarder.method.replace(promisified, '') as DriverCall['method'];
    const at = argumentIndex[method];
    const inner = wrapInProject(call, forwarder.inner);
    const args = call.getArguments();
    const innerArgs = inner.getArguments();
    const from = (site: number | undefined, own: number | undefined) =>
      site !== undefined ? args[site] : own === undefined ? undefined : innerArgs[own];
    const innerCallee = inner.getExpression();
    const receiver = Node.isPropertyAccessExpression(innerCallee) ? innerCallee.getExpression() : undefined;
    const sent = sentBy(method, args[forwarder.places.query], from(forwarder.places.params, at.params), evaluator);
    if (sent)
      calls.push({
        call,
        name,
        method,
        statements: sent,
        isIdempotent: idempotent(from(forwarder.places.options, at.options), receiver, evaluator),
        through: inner,
      });
  }
  return calls;
}

/** A call of driver method `method` (its arguments in the method's places), with the statements it sends we can read. */
function readDriverCall(
  call: CallExpression,
  name: Node,
  method: DriverCall['method'],
  receiver: Node | undefined,
  evaluator: StaticEvaluator,
): DriverCall | undefined {
  const at = argumentIndex[method];
  const args = call.getArguments();
  // `executeConcurrent(client, [{ query, params }, …], options)`: a list of statements, read as a batch's; options third.
  const listed = method === 'executeConcurrent' ? sentBy('batch', args[1], undefined, evaluator) : undefined;
  const params =
    method === 'executeConcurrent' ? concurrentParams(args[2]) : at.params === undefined ? undefined : args[at.params];
  const sent = listed ?? sentBy(method, args[at.query], params, evaluator);
  if (!sent) return undefined;
  const isIdempotent = idempotent(args[listed ? 2 : at.options], receiver, evaluator);
  return { call, name, method, statements: sent, isIdempotent };
}

/** The statements a call sends, if one of them is a write or read we can see. */
function sentBy(
  method: DriverCall['method'],
  query: Node | undefined,
  params: Node | undefined,
  evaluator: StaticEvaluator,
): SentStatement[] | undefined {
  if (!query) return undefined;
  const statements = method === 'batch' ? batchStatements(query, evaluator) : statementsOf(query, params, evaluator);
  if (statements.length === 0 || !statements.some((s) => /^\s*(INSERT|UPDATE|DELETE|SELECT|BEGIN)\b/i.test(s.cql)))
    return undefined;
  return statements;
}

/** The call's query options (`{ isIdempotent }`), else the client's defaults. */
function idempotent(optionsNode: Node | undefined, receiver: Node | undefined, evaluator: StaticEvaluator): boolean {
  const explicit = optionsNode ? propertyOf(evaluator.evaluate(optionsNode), 'isIdempotent') : undefined;
  return explicit && explicit.type === 'literal' && typeof explicit.value === 'boolean'
    ? explicit.value
    : receiver !== undefined && clientDefaultsIdempotent(receiver, evaluator);
}
