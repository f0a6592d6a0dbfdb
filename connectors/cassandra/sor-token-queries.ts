import { types, type Client } from 'cassandra-driver';

const minToken = -(2n ** 63n);
const maxToken = 2n ** 63n - 1n;

/** Murmur3 token ranges: the whole ring cut into `parts` slices (lo, hi], each read with paging. */
function tokenSlices(parts: number): [bigint, bigint][] {
  const span = maxToken - minToken;
  return Array.from({ length: parts }, (_, i) => [
    minToken + (span * BigInt(i)) / BigInt(parts),
    i === parts - 1 ? maxToken : minToken + (span * BigInt(i + 1)) / BigInt(parts),
  ]);
}

/** The same slices as the driver binds them. */
export function tokenRanges(parts: number): [types.Long, types.Long][] {
  return tokenSlices(parts).map(([lo, hi]) => [
    types.Long.fromString(lo.toString()),
    types.Long.fromString(hi.toString()),
  ]);
}

/**
 * Where a reader of a system of record stands: the last event read, by its
 * partition token, bucket and event id (the order events are read in).
 * Events archived later do not move it, unlike a count of events read.
 */
export interface SorPosition {
  readonly token: string;
  readonly bucket: string;
  readonly eventId: string;
}

export const isSorPosition = (v: unknown): v is SorPosition =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as SorPosition).token === 'string' &&
  typeof (v as SorPosition).bucket === 'string' &&
  typeof (v as SorPosition).eventId === 'string';

/**
 * The queries that read a system of record in token order, after `after`:
 * first the rest of its partition (`resume`, given the partition's CQL
 * condition and its parameters), then the token slices of greater tokens.
 * `select` ends before its WHERE; identifiers were validated by the DSL.
 */
export function tokenOrderQueries(
  select: string,
  after: SorPosition | undefined,
  resume: (after: SorPosition) => [string, unknown[]],
  parts = 16,
): [string, unknown[]][] {
  const queries: [string, unknown[]][] = [];
  const resumeAt = after ? BigInt(after.token) : undefined;
  if (after) {
    const [where, params] = resume(after);
    queries.push([`${select} WHERE ${where}`, params]);
  }
  for (const [i, [lo, hi]] of tokenSlices(parts).entries()) {
    if (resumeAt !== undefined && resumeAt >= hi) continue;
    // (lo, hi] slices; the first includes the minimum token itself, unless resuming past it.
    const from = resumeAt !== undefined && resumeAt >= lo ? resumeAt : lo;
    const inclusive = i === 0 && resumeAt === undefined;
    queries.push([
      `${select} WHERE token(bucket) ${inclusive ? '>=' : '>'} ? AND token(bucket) <= ?`,
      [types.Long.fromString(from.toString()), types.Long.fromString(hi.toString())],
    ]);
  }
  return queries;
}

/** One event of a system of record as read: its id, the event, and the position just past it. */
export interface SorEntry {
  readonly eventId: string;
  readonly event: unknown;
  readonly position: SorPosition;
}

/**
 * Copies of one write (a block; rows written at one time): their ids, known
 * before any event is decoded, and their events in the same order, decoded
 * when asked (a reader that takes a run at a time holds one run's events).
 */
export interface SorRun {
  readonly written: bigint;
  readonly ids: readonly string[];
  /** The ids' two 32-bit hashes each (`idHashes`: id i at 2i and 2i + 1), where the reader made them already. */
  readonly hashes?: Uint32Array;
  /** The events, in the order of `ids`; undefined for a block that turned out not to decode (reported then). Decoded at each call. */
  events(): readonly unknown[] | undefined;
  /** The ids and events as one decode gives them, where that costs less than `ids` and `events()` apart (a block's ids are then not made twice). */
  decoded?(): DecodedRun | undefined;
}

/** A run as read: its ids and its events, in the same order. */
export type DecodedRun = readonly [ids: readonly string[], events: readonly unknown[]];

/** A run whose events are already decoded. */
export const eagerRun = (written: bigint, ids: readonly string[], events: readonly unknown[]): SorRun => ({
  written,
  ids,
  events: () => events,
});

/** One partition of a system of record as read: runs whose ids ascend from one run to the next, each id once (the newest copy there). */
export interface SorPartition {
  readonly token: string;
  readonly bucket: string;
  readonly runs: readonly SorRun[];
}

/** Queries sent ahead of the one being read: their first page arrives while this one's rows are worked. */
const queriesAhead = 2;

/** A query sent now; its rows read later. An error it meets before then is kept and thrown when it is read. */
function sent(client: Client, [cql, params]: [string, unknown[]], fetchSize: number): () => AsyncGenerator<types.Row> {
  const stream = client.stream(cql, params, { prepare: true, fetchSize });
  let failed: { error: unknown } | undefined;
  // Listened to at once: an error emitted before the rows are read would otherwise have no listener.
  stream.on('error', (error: unknown) => void (failed ??= { error }));
  return async function* rows() {
    for await (const row of stream as unknown as AsyncIterable<types.Row>) {
      if (failed) throw failed.error;
      yield row;
    }
    if (failed) throw failed.error;
  };
}

/**
 * The rows of the queries, query after query, with paging: the next
 * `queriesAhead` queries already sent, so the wait for the cluster overlaps
 * the work on the rows instead of adding to it. Memory: a page of each.
 */
export async function* rowsInOrder(
  client: Client,
  queries: readonly [string, unknown[]][],
  fetchSize: number,
): AsyncGenerator<types.Row> {
  const pending: (() => AsyncGenerator<types.Row>)[] = [];
  let next = 0;
  while (next < queries.length || pending.length > 0) {
    while (pending.length <= queriesAhead && next < queries.length)
      pending.push(sent(client, queries[next++]!, fetchSize));
    yield* pending.shift()!();
  }
}

/**
 * The rows of the queries a page at a time (as `rowsInOrder`, query after
 * query): for a reader whose work on a row is less than the await a row
 * costs through a stream. The next page (of this query or the next) is
 * already asked for while one is worked. Memory: two pages.
 */
export async function* pagesInOrder(
  client: Client,
  queries: readonly [string, unknown[]][],
  fetchSize: number,
): AsyncGenerator<readonly types.Row[]> {
  const page = (q: number, pageState?: string) => {
    const asked = client.execute(queries[q]![0], queries[q]![1], { prepare: true, fetchSize, pageState });
    // Handled at once: a reader that stops before this page would leave its failure unhandled (awaited, it still throws).
    asked.catch(() => {});
    return asked;
  };
  let q = 0;
  let next = queries.length > 0 ? page(0) : undefined;
  while (next) {
    const result = await next;
    if (result.pageState) next = page(q, result.pageState);
    else next = ++q < queries.length ? page(q) : undefined;
    if (result.rows.length > 0) yield result.rows;
  }
}
