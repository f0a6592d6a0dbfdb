import { createHash } from 'node:crypto';
import { parseJson } from '../../runtime/json-parse.ts';
import { blockOrder } from './sor-block-order.ts';

/**
 * The bound every partition of a block-layout system of record keeps: at
 * most this many events and this many bytes of event JSON. The writer
 * places a block that would take a partition past either in its overflow
 * partition (sor-block-writer.ts); no partition grows past it. (With
 * 10-minute slots split 16 ways, 10⁸ events a day put about 43,000 events in
 * a partition; the bound is reached near 5.8·10⁸ a day.)
 */
export const partitionBound = { events: 250_000, bytes: 32 * 1024 * 1024 } as const;

/**
 * One block holds at most this much event JSON: one mutation well under
 * Cassandra's limits (half a 32 MiB commit log segment), cheap to rewrite.
 */
export const blockBytes = 256 * 1024;

/** One block as written: its key within the partition, its events (id and event, in `blockOrder`) as JSON. */
export interface Block {
  readonly bucket: string;
  readonly block: string;
  readonly n: number;
  readonly bytes: number;
  readonly events: string;
}

/** An event to archive: its id (text, as stored) and the event as JSON. */
export interface ArchivedEvent {
  readonly eventId: string;
  readonly json: string;
}

/**
 * A block's key: a hash of the ids in it (in `blockOrder`, a function of
 * the set of ids), so a replay that cuts the same batch rewrites the same
 * block (with the newest payloads, as a row per id would be rewritten), and
 * one cut differently adds a block whose copies a reader de-duplicates by
 * event id. The ids are hashed as their JSON array: one native call makes
 * the text (a string an id, and a lone-surrogate scan of it, made about
 * 90 bytes of garbage an event), quotes and escapes keep ids apart, and a
 * lone surrogate is escaped (`\ud800`) where UTF-8 would make every one
 * U+FFFD: two ids differing only there never name one block, which would let
 * a later batch's block overwrite an earlier one's events.
 */
function blockKey(ids: readonly string[]): string {
  return createHash('sha1').update(JSON.stringify(ids)).digest('hex').slice(0, 24);
}

/**
 * The two forms of a block's JSON. `pairs`: `[["id",event],…]`, for any
 * events. `keyed`: `{"id":"<field>","events":[event,…]}`, where every event
 * holds its id as its own field `<field>` (a string: the id itself, as the
 * archive's `id: '<field>'` takes it): each id stored once, not twice, which
 * is about a sixth of the bench's JSON, and no pair made an event.
 */
interface BlockForm {
  readonly prefix: string;
  readonly suffix: string;
  entry(e: ArchivedEvent): string;
}

const pairsForm: BlockForm = { prefix: '[', suffix: ']', entry: (e) => `[${JSON.stringify(e.eventId)},${e.json}]` };
const keyedForm = (field: string): BlockForm => ({
  prefix: `{"id":${JSON.stringify(field)},"events":[`,
  suffix: ']}',
  entry: (e) => e.json,
});

/**
 * The blocks of one partition's events of a batch (each event as JSON; of one id twice, the last counts), in
 * `blockOrder`, each ≤ `blockBytes` of JSON; keyed by `idField` when given (each event's JSON then holds its id there).
 */
export function cutBlocks(
  bucket: string,
  events: readonly ArchivedEvent[],
  maxBytes = blockBytes,
  idField?: string,
): Block[] {
  const ids = events.map((e) => e.eventId);
  const ordered = blockOrder(
    ids,
    ids.map((_, i) => i),
  ).map((i) => events[i]!);
  const form = idField === undefined ? pairsForm : keyedForm(idField);
  // Each entry made once: the event JSON is already text, spliced as is, the id (pairs) through JSON.stringify.
  const entries = ordered.map((e) => form.entry(e));
  const empty = Buffer.byteLength(form.prefix) + form.suffix.length;
  const blocks: Block[] = [];
  let start = 0;
  let bytes = empty;
  const close = (end: number) => {
    const events = `${form.prefix}${entries.slice(start, end).join(',')}${form.suffix}`;
    blocks.push({
      bucket,
      block: blockKey(ordered.slice(start, end).map((e) => e.eventId)),
      n: end - start,
      bytes: bytes - 1,
      events,
    });
    start = end;
    bytes = empty;
  };
  for (let i = 0; i < entries.length; i++) {
    // Bytes as stored (UTF-8): the entry and the comma after it. The id as JSON, since escapes
    // can make it six times its length (a control character is \u0001), which no slack covers.
    const size = Buffer.byteLength(entries[i]!) + 1;
    if (i > start && bytes + size > maxBytes) close(i);
    bytes += size;
  }
  if (start < ordered.length) close(ordered.length);
  return blocks;
}

/**
 * A batch's archived events side by side, the i-th id beside the i-th
 * event: no object an event (an op, an entry, a pair before the block's
 * JSON), which a batch of 20,000 held through its writes would otherwise
 * carry into the old generation (issue 19, docs/benchmarks.md).
 */
export interface ArchiveColumns {
  /** Each event's id as stored (text). */
  readonly ids: readonly string[];
  readonly events: readonly unknown[];
  /** Each id's `idHash`, where the caller made it already (to pick the partition): made again here otherwise. */
  readonly hashes?: Uint32Array;
  /** The field each event holds its id in (the archive's `id: '<field>'`), if any: blocks are then keyed by it where they can be. */
  readonly idField?: string;
}

/**
 * Whether every event at `order` holds its id as its own field `field`, a
 * string equal to the id, in what JSON writes of it: a plain object (an
 * array, or one with `toJSON`, writes other fields or none).
 */
function holdTheirIds(batch: ArchiveColumns, field: string, order: readonly number[]): boolean {
  const { ids, events } = batch;
  for (const i of order) {
    const event = events[i] as Record<string, unknown> | null;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
    if (!Object.hasOwn(event, field) || event[field] !== ids[i] || typeof event.toJSON === 'function') return false;
  }
  return true;
}

/**
 * The blocks of one partition's events of a batch, given as the places
 * `at` (in batch order) of its events in `batch`: the very blocks cutBlocks
 * makes of the events' JSON (same keys, same text), so a replay written by
 * either rewrites the same blocks. Of one id twice, the last counts. When the
 * partition's events fit in one block, as they mostly do (a batch of 20,000
 * spreads over 16 partitions a slot), the block is one `JSON.stringify` of
 * its [id, event] pairs, or of its events keyed by `idField` where each holds
 * its id there: no string an event, no entry, no join. Only a
 * partition too large for one block is encoded an event at a time and cut.
 */
export function encodeBlocksAt(
  bucket: string,
  batch: ArchiveColumns,
  at: readonly number[],
  maxBytes = blockBytes,
): Block[] {
  const { ids, events, idField } = batch;
  const unique = blockOrder(ids, at, batch.hashes);
  const keyedBy = idField !== undefined && holdTheirIds(batch, idField, unique) ? idField : undefined;
  const text =
    keyedBy === undefined
      ? JSON.stringify(unique.map((i) => [ids[i], events[i]]))
      : JSON.stringify({ id: keyedBy, events: unique.map((i) => events[i]) });
  const bytes = Buffer.byteLength(text);
  // cutBlocks keeps events in one block exactly while their JSON stays under maxBytes.
  if (bytes < maxBytes) {
    const blockIds = unique.map((i) => ids[i]!);
    return [{ bucket, block: blockKey(blockIds), n: unique.length, bytes, events: text }];
  }
  return cutBlocks(
    bucket,
    unique.map((i) => ({ eventId: ids[i]!, json: JSON.stringify(events[i]) })),
    maxBytes,
    keyedBy,
  );
}

/** A block that does not decode to [[id, event], …]: named by its key, so an operator can look at it. */
export class UndecodableBlock extends Error {
  override readonly name = 'UndecodableBlock';
  constructor(
    readonly bucket: string,
    readonly block: string,
    cause: unknown,
  ) {
    super(
      `block (bucket '${bucket}', block '${block}') does not decode: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** The ids a block was found to hold before it was decoded: how many, and whether the i-th is `id`. */
export interface FoundIds {
  readonly count: number;
  isId(id: string, i: number): boolean;
}

/**
 * The [id, event] pairs of a block's JSON, in either form (`pairs` or
 * `keyed`); throws UndecodableBlock for anything else, or when its ids are
 * not those `found` in it before.
 */
export function decodeBlock(bucket: string, block: string, events: unknown, found?: FoundIds): [string, unknown][] {
  try {
    const parsed = parseJson(String(events));
    const pairs = Array.isArray(parsed) ? checkedPairs(parsed) : zip(keyedColumns(parsed));
    if (found && pairs.length !== found.count) throw new Error('its ids are not where its JSON puts them');
    if (found && pairs.some((p, i) => !found.isId(p[0], i)))
      throw new Error('its ids are not where its JSON puts them');
    return pairs;
  } catch (error) {
    throw new UndecodableBlock(bucket, block, error);
  }
}

/**
 * A block's ids and events side by side, in either form, as repair's streamed read takes them: a keyed
 * block's events as JSON.parse made them, with no pair made an event. Throws UndecodableBlock as decodeBlock does.
 */
export function decodeColumns(bucket: string, block: string, events: unknown): [string[], unknown[]] {
  try {
    const parsed = parseJson(String(events));
    if (!Array.isArray(parsed)) return keyedColumns(parsed);
    const pairs = checkedPairs(parsed);
    return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  } catch (error) {
    throw new UndecodableBlock(bucket, block, error);
  }
}

/** A pairs block's entries, each checked to be [id, event] with a string id. */
function checkedPairs(parsed: readonly unknown[]): [string, unknown][] {
  for (const p of parsed)
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string') throw new Error('an entry is not [id, event]');
  return parsed as [string, unknown][];
}

const zip = ([ids, events]: [string[], unknown[]]): [string, unknown][] => ids.map((id, i) => [id, events[i]]);

/** A keyed block's ids, each read from its event's own field (as JSON.parse made it), beside its events. */
function keyedColumns(parsed: unknown): [string[], unknown[]] {
  const { id: field, events, ...rest } = (parsed ?? {}) as { id?: unknown; events?: unknown };
  if (typeof field !== 'string' || !Array.isArray(events) || Object.keys(rest).length > 0)
    throw new Error('not a JSON array of [id, event], nor {"id": field, "events": [...]}');
  const ids = new Array<string>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as unknown;
    // The own field as JSON.parse defined it (an own field named __proto__ too: it hides the prototype's accessor).
    const id =
      typeof event === 'object' && event !== null && !Array.isArray(event) && Object.hasOwn(event, field)
        ? (event as Record<string, unknown>)[field]
        : undefined;
    if (typeof id !== 'string') throw new Error(`an event holds no id in its field ${JSON.stringify(field)}`);
    ids[i] = id;
  }
  return [ids, events as unknown[]];
}
