import type ts from 'typescript';
import { Node, SyntaxKind, type CallExpression, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { methodCalls } from '../find-nodes.ts';
import { constInitializer } from './cql-text.ts';
import { luaCounters } from './lua-counters.ts';
import { ormIncrements, ormUpdates } from '../../analysis/call-graph/store-deltas.ts';
import { mongoUpdates, redisCommands, redisNames } from '../../analysis/store-commands.ts';

/** A counter update sent to a store other than Cassandra: a delta, not a value, like CQL's `SET c = c + ?`. */
export interface StoreCounter {
  readonly call: CallExpression;
  /** The method's name node: where findings point. */
  readonly name: Node;
  /** How a message names it: "Redis `HINCRBY`", "MongoDB `$inc` of `views`". */
  readonly counter: string;
}

const propertyName = (p: Node) =>
  Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p) ? p.getName().replace(/^['"]|['"]$/g, '') : '';

/** The expression inside `as` / `satisfies` / `!` / parentheses: `{ $inc: { [field]: by } } as never`, a cast typed drivers force. */
function unwrapped(node: Node | undefined): Node | undefined {
  let at = node;
  while (
    at &&
    (Node.isAsExpression(at) ||
      Node.isSatisfiesExpression(at) ||
      Node.isNonNullExpression(at) ||
      Node.isParenthesizedExpression(at))
  )
    at = at.getExpression();
  return at;
}

/** The object literal an argument is (through a `const`, and casts), or undefined. */
function objectOf(written: Node | undefined): Node | undefined {
  const node = unwrapped(written);
  const value = node && Node.isIdentifier(node) ? unwrapped(constInitializer(node)) : node;
  if (value && Node.isCallExpression(value)) return mappedObject(value) ?? builtObject(value);
  return value && (Node.isObjectLiteralExpression(value) || Node.isArrayLiteralExpression(value)) ? value : undefined;
}

/**
 * `messages.map((m) => ({ updateOne: { …, update: { $inc: … } } }))`: the
 * operation every element becomes, for a `bulkWrite(ops)` of a list built so.
 */
function mappedObject(call: CallExpression): Node | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || !/^(map|flatMap)$/.test(callee.getName())) return undefined;
  const callback = call.getArguments()[0];
  if (!callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return undefined;
  const body = callback.getBody();
  const returned = Node.isBlock(body)
    ? body
        .getDescendantsOfKind(SyntaxKind.ReturnStatement)
        .filter((r) => r.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) === callback)
        .map((r) => r.getExpression())
    : [body];
  for (const expression of returned) {
    const value = expression && unwrapped(expression);
    if (value && (Node.isObjectLiteralExpression(value) || Node.isArrayLiteralExpression(value))) return value;
  }
  return undefined;
}

/**
 * `hitOn(page)`, a function of the program (here or in another module) that returns
 * `{ $inc: { … } }`: the object literal it returns, read as if written at the call.
 */
function builtObject(call: CallExpression): Node | undefined {
  const symbol = call.getExpression().getSymbol();
  const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
  const declaration = target?.getDeclarations()[0];
  const fn =
    declaration && Node.isVariableDeclaration(declaration) ? unwrapped(declaration.getInitializer()) : declaration;
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)))
    return undefined;
  const body = fn.getBody();
  if (!body) return undefined;
  const returned = Node.isBlock(body)
    ? body
        .getDescendantsOfKind(SyntaxKind.ReturnStatement)
        .filter((r) => r.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a)) === fn)
        .map((r) => r.getExpression())
    : [body];
  const objects = returned.map(unwrapped).filter((v) => v !== undefined && Node.isObjectLiteralExpression(v));
  return objects[0];
}

/** The filter an update document goes with: the call's first argument, or the `filter` beside a bulkWrite op's `update`. */
function filterOf(call: CallExpression, update: Node): Node | undefined {
  const holder = update.getParent();
  const op = holder?.getParent();
  if (
    holder &&
    Node.isPropertyAssignment(holder) &&
    propertyName(holder) === 'update' &&
    op &&
    Node.isObjectLiteralExpression(op)
  ) {
    const filter = op.getProperty('filter');
    return filter && Node.isPropertyAssignment(filter) ? filter.getInitializer() : undefined;
  }
  return call.getArguments()[0];
}

/** `{ $inc: { views: 1 } }` anywhere in the update arguments (a bulkWrite's operations included), not in callbacks. */
function incrementedFields(call: CallExpression): { fields: string[]; update: Node } | undefined {
  for (const argument of call.getArguments().map(objectOf)) {
    if (!argument) continue;
    let found: { fields: string[]; update: Node } | undefined;
    argument.forEachDescendant((node, traversal) => {
      // `traversal.skip()` as a statement: returned, its value would end the whole walk (ts-morph stops on a returned value).
      if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) {
        traversal.skip();
        return;
      }
      if (found || propertyName(node) !== '$inc' || !Node.isPropertyAssignment(node)) return;
      const value = objectOf(node.getInitializer());
      const fields =
        value && Node.isObjectLiteralExpression(value) ? value.getProperties().map(propertyName).filter(Boolean) : [];
      found = { fields, update: node.getParentOrThrow() };
    });
    if (found) return found;
  }
  return undefined;
}

/**
 * `updateOne({ _id, seen: { $ne: offset } }, { $inc: …, $addToSet: { seen: offset } })`:
 * the document records the messages it counted and the filter skips one it
 * has, in one atomic write. A redelivery then matches nothing.
 */
function guardedByFilter(call: CallExpression, update: Node): boolean {
  const recorded = new Set<string>();
  if (!Node.isObjectLiteralExpression(update)) return false;
  for (const p of update.getProperties())
    if (Node.isPropertyAssignment(p) && ['$addToSet', '$push'].includes(propertyName(p))) {
      const value = objectOf(p.getInitializerOrThrow());
      if (value && Node.isObjectLiteralExpression(value))
        for (const field of value.getProperties()) recorded.add(propertyName(field));
    }
  const filter = objectOf(filterOf(call, update));
  if (!filter || !Node.isObjectLiteralExpression(filter)) return false;
  return filter.getProperties().some((p) => {
    const test = Node.isPropertyAssignment(p) ? objectOf(p.getInitializer()) : undefined;
    return (
      recorded.has(propertyName(p)) &&
      test !== undefined &&
      Node.isObjectLiteralExpression(test) &&
      test.getProperties().some((t) => ['$ne', '$nin'].includes(propertyName(t)))
    );
  });
}

/** Redis only where the file speaks of it (an import, a client named so): `incr` is a common word. */
const mentionsRedis = /redis/i;

const isLibraryFile = (file: SourceFile) =>
  file.isDeclarationFile() || /[\\/]node_modules[\\/]/.test(file.getFilePath());

/**
 * `tally.hincrby(…)` that runs a method the program writes itself (an
 * in-process tally over a Map with Redis-like names): the checker knows it is
 * no Redis client, whatever the file's comments say; a Redis call inside that
 * method is found where it is written. A method of a library, of an interface
 * (a port some Redis client implements), or of an untyped receiver (an
 * untyped `ioredis`) is left to the name.
 */
function runsOwnMethod(call: CallExpression): boolean {
  const name = (call.getExpression() as PropertyAccessExpression).getNameNode();
  const declarations = name.getSymbol()?.getDeclarations() ?? [];
  return (
    declarations.length > 0 &&
    declarations.every(
      (d) =>
        (Node.isMethodDeclaration(d) || Node.isPropertyDeclaration(d)) &&
        (Node.isMethodDeclaration(d) ? d.hasBody() : d.hasInitializer()) &&
        !isLibraryFile(d.getSourceFile()),
    )
  );
}

/** Generic command calls: ioredis's `call('HINCRBY', key, …)`, node-redis's `sendCommand(['HINCRBY', key, …])`. */
const genericCommands: ReadonlySet<string> = new Set(['call', 'callBuffer', 'send_command', 'sendCommand']);

const redisMethods: ReadonlySet<string> = new Set([...redisNames, ...genericCommands]);

/** `redis.call('HINCRBY', key, field, 1)` / `sendCommand(['INCRBY', key, '5'])`: the command and its arguments, or undefined. */
function genericRedisCommand(call: CallExpression): { command: string; args: Node[] } | undefined {
  const [first, ...rest] = call.getArguments();
  const list = first && Node.isArrayLiteralExpression(first) ? first.getElements() : undefined;
  const [name, ...args] = list ?? [first, ...rest];
  if (!name || !(Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name))) return undefined;
  const command = name.getLiteralText().toLowerCase();
  return redisCommands.has(command) ? { command, args: args.filter((a): a is Node => a !== undefined) } : undefined;
}

/** A Redis counter command, by its method name (`hincrby(…)`) or through the generic form: command and key. */
function redisCounter(call: CallExpression): { command: string; key: string } | undefined {
  const name = (call.getExpression() as PropertyAccessExpression).getName();
  const generic = genericCommands.has(name) ? genericRedisCommand(call) : undefined;
  const command = generic?.command ?? name.toLowerCase();
  const args = generic?.args ?? call.getArguments();
  if (!generic && genericCommands.has(name)) return undefined;
  if (args.length < (redisCommands.get(command) ?? Infinity) || runsOwnMethod(call)) return undefined;
  return { command, key: args[0]!.getText().replace(/\s+/g, ' ') };
}

/** Counter updates a file sends to Redis (`INCR`, `HINCRBY`, …) and MongoDB (`$inc`). */
export function storeCounters(file: SourceFile): StoreCounter[] {
  const found: StoreCounter[] = [];
  const text = file.getFullText();
  if (mentionsRedis.test(text))
    for (const call of methodCalls(file, redisMethods)) {
      const name = (call.getExpression() as PropertyAccessExpression).getNameNode();
      const counter = redisCounter(call);
      if (!counter) continue;
      const { command, key } = counter;
      found.push({
        call,
        name,
        counter: `Redis ${command.toUpperCase()} of ${key.length > 40 ? `${key.slice(0, 39)}…` : key}`,
      });
    }
  if (mentionsRedis.test(text))
    for (const { call, command, via } of luaCounters(file)) {
      const name = (call.getExpression() as PropertyAccessExpression).getNameNode();
      const how = via ? `an ${via} Lua script` : `the Lua script of the command \`${name.getText()}\``;
      found.push({ call, name, counter: `Redis ${command} in ${how}` });
    }
  // `$inc` in this file, or an update whose document a helper elsewhere may build (builtObject).
  if (text.includes('$inc') || /\.(updateOne|updateMany|findOneAndUpdate|findByIdAndUpdate|bulkWrite)\(/.test(text))
    for (const call of methodCalls(file, mongoUpdates)) {
      const inc = incrementedFields(call);
      if (!inc || guardedByFilter(call, inc.update)) continue;
      const name = (call.getExpression() as PropertyAccessExpression).getNameNode();
      const fields = inc.fields.length > 0 ? ` of \`${inc.fields.join('`, `')}\`` : '';
      found.push({ call, name, counter: `MongoDB \`$inc\`${fields}` });
    }
  if (/\$(incr|decr)\b/.test(text))
    for (const call of methodCalls(file, ormUpdates)) {
      const fields = ormIncrements(call.compilerNode as unknown as ts.CallExpression);
      if (fields.length === 0) continue;
      const name = (call.getExpression() as PropertyAccessExpression).getNameNode();
      found.push({ call, name, counter: `express-cassandra \`$incr\` of \`${fields.join('`, `')}\`` });
    }
  if (/\.(incr|decr)\(/.test(text))
    for (const call of methodCalls(file, mapperWrites)) {
      const fields = mapperIncrements(call);
      if (fields.length === 0) continue;
      const name = (call.getExpression() as PropertyAccessExpression).getNameNode();
      found.push({ call, name, counter: `cassandra-driver Mapper \`q.incr\` of \`${fields.join('`, `')}\`` });
    }
  return found.sort((a, b) => a.call.getStart() - b.call.getStart());
}

/** Mapper methods that write a document: a `q.incr` in one is `SET c = c + ?`. */
const mapperWrites: ReadonlySet<string> = new Set(['update', 'insert']);

/**
 * The fields cassandra-driver's Mapper is asked to add to:
 * `pageViews.update({ page, views: q.incr(1) })` of `const { q } = mapping`
 * (also `mapping.q.incr(1)`, `q.decr(n)`) sends `UPDATE … SET views = views + 1`.
 */
function mapperIncrements(call: CallExpression): string[] {
  const document = objectOf(call.getArguments()[0]);
  if (!document || !Node.isObjectLiteralExpression(document)) return [];
  return document.getProperties().flatMap((p) => {
    const value = Node.isPropertyAssignment(p) ? unwrapped(p.getInitializer()) : undefined;
    const callee = value && Node.isCallExpression(value) ? value.getExpression() : undefined;
    const adds =
      callee &&
      Node.isPropertyAccessExpression(callee) &&
      /^(incr|decr)$/.test(callee.getName()) &&
      /(^|\.)q$/.test(callee.getExpression().getText());
    return adds ? [propertyName(p)] : [];
  });
}
