/** Commands of stores other than Cassandra that add a delta to a stored number (read by the lint and by custom sinks' checks). */

/**
 * Redis commands that add to a stored number, with the arguments they need
 * (key, and the delta or hash field): ioredis's lower-case names and
 * node-redis v4's camel-case ones. An `incr()` with fewer arguments is some
 * other library's counter (a metrics gauge), not Redis.
 */
export const redisCommands: ReadonlyMap<string, number> = new Map([
  ['incr', 1],
  ['decr', 1],
  ['incrby', 2],
  ['decrby', 2],
  ['incrbyfloat', 2],
  ['hincrby', 3],
  ['hincrbyfloat', 3],
  ['zincrby', 3],
]);
export const redisNames: ReadonlySet<string> = new Set(
  [...redisCommands.keys()].flatMap((n) => [
    n,
    n.replace(/by(float)?$/, (m) => (m === 'by' ? 'By' : 'ByFloat')).replace(/^([hz])incr/, (_, p) => `${p}Incr`),
  ]),
);

/** MongoDB driver and Mongoose methods that take an update document. */
export const mongoUpdates: ReadonlySet<string> = new Set([
  'updateOne',
  'updateMany',
  'update',
  'findOneAndUpdate',
  'findByIdAndUpdate',
  'findAndModify',
  'bulkWrite',
]);
