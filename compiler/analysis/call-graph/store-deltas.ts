import ts from 'typescript';
import { mongoUpdates, redisCommands, redisNames } from '../store-commands.ts';
import { calleeName, unwrap } from './resolve.ts';

/** `{ $inc: { clicks: r.value } }` written in the call's arguments (a bulkWrite's operations too), not in callbacks. */
function incrementDocument(node: ts.Node): boolean {
  const value = unwrap(node as ts.Expression);
  if (ts.isObjectLiteralExpression(value))
    return value.properties.some(
      (p) =>
        (ts.isPropertyAssignment(p) && p.name.getText().replace(/^['"]|['"]$/g, '') === '$inc') ||
        (ts.isPropertyAssignment(p) && incrementDocument(p.initializer)),
    );
  return ts.isArrayLiteralExpression(value) && value.elements.some(incrementDocument);
}

/** express-cassandra's model methods that take an update document: `Model.update(query, { views: { $incr: 1 } })`. */
export const ormUpdates: ReadonlySet<string> = new Set(['update', 'updateAsync']);

/**
 * The fields an express-cassandra update adds to (`{ views: { $incr: 1 } }`, also `$decr`): a counter update
 * (`SET views = views + 1`) by another name (round 11, U11D e14). Empty when it adds to none.
 */
export function ormIncrements(call: ts.CallExpression): string[] {
  const callee = unwrap(call.expression);
  const update = call.arguments[1] && unwrap(call.arguments[1]);
  if (!ts.isPropertyAccessExpression(callee) || !ormUpdates.has(callee.name.text)) return [];
  if (!update || !ts.isObjectLiteralExpression(update)) return [];
  return update.properties.flatMap((p) => {
    const value = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
    const adds =
      value &&
      ts.isObjectLiteralExpression(value) &&
      value.properties.some((q) => ts.isPropertyAssignment(q) && /^['"]?\$(incr|decr)['"]?$/.test(q.name.getText()));
    return adds ? [p.name!.getText().replace(/^['"]|['"]$/g, '')] : [];
  });
}

/**
 * A delta sent to a store other than Cassandra, which a repeated write adds again: MongoDB's `$inc` in an
 * update (`updateOne({ _id }, { $inc: { n: 1 } })`) and Redis's `INCRBY`/`HINCRBY`… given their arguments.
 * Returns the name node to point at and how to say it.
 */
export function storeDelta(call: ts.CallExpression): { at: ts.Node; what: string } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (mongoUpdates.has(method) && call.arguments.some(incrementDocument))
    return { at: calleeName(callee) ?? callee.name, what: 'adds to a stored number (MongoDB `$inc`)' };
  if (ormIncrements(call).length > 0) return { at: callee.name, what: 'adds to a counter (express-cassandra `$incr`)' };
  const command = method.toLowerCase();
  if (redisNames.has(method) && call.arguments.length >= (redisCommands.get(command) ?? Infinity))
    return { at: callee.name, what: `adds to a stored number (Redis \`${command.toUpperCase()}\`)` };
  return undefined;
}
