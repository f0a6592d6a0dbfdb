import type { SourceLocation } from '../compiler/ir/index.ts';
import { BuildError } from './build-error.ts';

/**
 * Unquoted CQL identifiers: a letter, then letters, digits or underscores; at
 * most 48 characters (Cassandra's limit for keyspace and table names). We never
 * quote identifiers, so anything else is refused here, at build time.
 */
const cqlIdentifier = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

export function assertCqlIdentifier(call: string, argument: string, value: unknown, location?: SourceLocation): string {
  if (typeof value !== 'string' || !cqlIdentifier.test(value)) {
    throw new BuildError(
      call,
      `${argument} ${JSON.stringify(value)} is not a valid CQL identifier (a letter, then letters, digits or _, at most 48 characters)`,
      location,
    );
  }
  return value;
}

export function assertNonEmptyString(
  call: string,
  argument: string,
  value: unknown,
  location?: SourceLocation,
): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BuildError(call, `${argument} must be a non-empty string, got ${JSON.stringify(value)}`, location);
  }
  return value;
}

export function assertPositiveInteger(
  call: string,
  argument: string,
  value: unknown,
  location?: SourceLocation,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new BuildError(call, `${argument} must be a positive integer, got ${JSON.stringify(value)}`, location);
  }
  return value;
}

export function assertFunction(call: string, argument: string, value: unknown, location?: SourceLocation): void {
  if (typeof value !== 'function') {
    throw new BuildError(call, `${argument} must be a function, got ${typeof value}`, location);
  }
}

/** A field the stream is known to have; when the fields are not known (after a map, say), anything goes. */
export function assertKnownField(
  call: string,
  argument: string,
  field: unknown,
  knownFields: readonly string[] | undefined,
  location?: SourceLocation,
): string {
  const name = assertNonEmptyString(call, argument, field, location);
  if (knownFields !== undefined && !knownFields.includes(name)) {
    throw new BuildError(
      call,
      `${argument} "${name}" is not a field of the stream (known fields: ${knownFields.join(', ') || 'none'})`,
      location,
    );
  }
  return name;
}
