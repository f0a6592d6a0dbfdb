import type { CqlType } from './cql-schema.ts';

/**
 * A single-column partition key serialized as the native protocol does (the
 * bytes Cassandra's partitioner hashes), for `client.getReplicas`. Values
 * are as `toCql` binds them. Undefined for a value that is not a key.
 */
export function routingKey(value: unknown, type: CqlType): Buffer | undefined {
  const int64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(Math.trunc(n)));
    return b;
  };
  switch (type) {
    case 'text':
      return typeof value === 'string' ? Buffer.from(value, 'utf8') : undefined;
    case 'bigint':
      return typeof value === 'number' && Number.isSafeInteger(Math.trunc(value)) ? int64(value) : undefined;
    case 'timestamp':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? int64(value.getTime()) : undefined;
    case 'double': {
      if (typeof value !== 'number') return undefined;
      const b = Buffer.alloc(8);
      b.writeDoubleBE(value);
      return b;
    }
    case 'blob':
      return Buffer.isBuffer(value) ? value : undefined;
    case 'counter':
      return undefined;
  }
}
