import type { WindowNode } from '../../compiler/ir/index.ts';
import type { Aggregator } from '../../runtime/aggregators.ts';
import { windowStarts } from '../../runtime/windowing.ts';
import { BackedEntries } from './backed-entries.ts';
import { StateJournal, type StateScalars } from './state-journal.ts';
import { keyId, unwindowed } from './state-key.ts';
import type { StateStore, StoredEntry } from './state-store.ts';

interface Entry {
  readonly key: unknown;
  readonly windowStart: number | undefined;
  acc: unknown;
  /** What this batch added, for counter sinks (which write deltas). */
  delta: unknown;
  dirty: boolean;
  /** Changed since the state last went to a checkpoint (whole or as a delta). */
  unsaved: boolean;
  /** The journal epoch that last recorded this entry (see state-journal.ts). */
  journaled: number;
}

export interface AggregateRowOut {
  readonly key: unknown;
  readonly windowStart?: number;
  readonly windowEnd?: number;
  readonly value: unknown;
}

export interface StateSnapshot {
  readonly watermark: number;
  readonly entries: readonly (readonly [key: unknown, windowStart: number | null, acc: unknown])[];
}

/**
 * What changed since the state last went to a checkpoint: the windows evicted
 * (their entries left), then the entries changed and still held, as they
 * stand. Applied in that order to the previous state, it gives this one.
 */
export interface StateDelta {
  readonly kind: 'delta';
  readonly watermark: number;
  readonly evicted: readonly number[];
  readonly entries: StateSnapshot['entries'];
}
/** Where a checkpoint's state is rebuilt: reset to a whole snapshot, then each delta after it applied in order. */
export interface StateTarget {
  restore(snapshot: StateSnapshot): void;
  apply(delta: StateDelta): void;
}

/** What `add` returns for an event on time for every window it is in: shared, so the common case allocates nothing. */
const onTime: readonly number[] = Object.freeze([]);

/**
 * Aggregates per (key, window). Memory is bounded by keys × open windows:
 * a window is evicted once the watermark passes its end plus the allowed
 * lateness; a record for an evicted window is late and refused. Given a
 * `StateStore` (`--state disk`), the entries live there and memory holds
 * only those changed since the last saved checkpoint (see backed-entries.ts).
 */
export class AggregationState implements StateTarget {
  readonly #windows = new Map<number, Map<unknown, Entry>>();
  readonly #dirty: Entry[] = [];
  /** Entries changed, and window starts evicted, since the last `takeCheckpoint`: what the next delta holds. */
  readonly #unsaved: Entry[] = [];
  readonly #evictedUnsaved = new Set<number>();
  #watermark = -Infinity;
  #maxEventTime = -Infinity;
  /** Latest event time per split (Kafka partition): the watermark follows the slowest. */
  readonly #splitMax = new Map<number, number>();
  /** With `emit: 'final'`: rows of the windows the last watermark advance closed. */
  #closed: AggregateRowOut[] = [];
  /** Windows write their rows once, when they close, instead of after every change. */
  readonly emitsFinal: boolean;
  /** With no durable checkpoint to restore from: what changed since the last saved checkpoint, to roll back. */
  #journal: StateJournal<Entry> | undefined;
  /** With a store: which entries memory must keep, and what the store holds beside them. */
  readonly #backed: BackedEntries<Entry> | undefined;

  /**
   * `rollback`: keep an undo journal, so that `rollback()` can return to the last saved checkpoint (no checkpoint folder).
   * `store`: the entries live there; the checkpoint that saves them commits them to it (no rollback then).
   */
  constructor(
    readonly aggregator: Aggregator,
    readonly window: WindowNode | undefined,
    readonly trackDeltas: boolean,
    readonly rollbackable = false,
    store?: StateStore,
  ) {
    this.emitsFinal = window?.emit === 'final';
    this.#journal = rollbackable ? new StateJournal(this.#scalars()) : undefined;
    this.#backed = store && new BackedEntries<Entry>(store);
  }

  #scalars(): StateScalars {
    return { watermark: this.#watermark, maxEventTime: this.#maxEventTime, splitMax: new Map(this.#splitMax) };
  }

  get watermark(): number {
    return this.#watermark;
  }

  /** Entries held: the bound the runner promises. */
  get size(): number {
    return this.#backed ? this.#backed.size() : this.entriesInMemory;
  }

  /** Entries in memory: every one, or with a store only those read or changed since the last saved checkpoint. */
  get entriesInMemory(): number {
    let n = 0;
    for (const keys of this.#windows.values()) n += keys.size;
    return n;
  }

  #isClosed(windowStart: number): boolean {
    const w = this.window!;
    return windowStart + w.sizeMs + w.allowedLatenessMs <= this.#watermark;
  }

  #entry(key: unknown, windowStart: number): Entry {
    let keys = this.#windows.get(windowStart);
    if (!keys) {
      keys = new Map();
      this.#windows.set(windowStart, keys);
    }
    const id = keyId(key);
    let entry = keys.get(id);
    if (!entry) {
      const stored = this.#backed?.load(windowStart, key);
      entry = {
        key,
        windowStart: this.window ? windowStart : undefined,
        acc: stored ? stored[0] : this.aggregator.init(),
        delta: undefined,
        dirty: false,
        unsaved: false,
        journaled: 0,
      };
      keys.set(id, entry);
      if (this.#backed && !stored) this.#backed.created(entry);
      this.#journal?.created(entry, windowStart, id);
    }
    return entry;
  }

  /**
   * Adds an event to each of its windows that is still open. Returns the
   * starts of those already closed, which it missed (empty: on time). A
   * sliding window's event may miss some of its windows and not others.
   */
  add(key: unknown, eventTime: number | undefined, event: Record<string, unknown>, split?: number): readonly number[] {
    if (eventTime !== undefined) {
      if (eventTime > this.#maxEventTime) this.#maxEventTime = eventTime;
      if (split !== undefined && !(eventTime <= (this.#splitMax.get(split) ?? -Infinity)))
        this.#splitMax.set(split, eventTime);
    }
    const window = this.window;
    // The common cases (no window, tumbling) take one window and allocate nothing.
    if (!window) return this.#addTo(key, unwindowed, event) ? onTime : [unwindowed];
    if (window.slideMs === window.sizeMs) {
      const start = Math.floor(eventTime! / window.sizeMs) * window.sizeMs;
      return this.#addTo(key, start, event) ? onTime : [start];
    }
    let missed: number[] | undefined;
    for (const start of windowStarts(window, eventTime!))
      if (!this.#addTo(key, start, event)) (missed ??= []).push(start);
    return missed ?? onTime;
  }

  #addTo(key: unknown, start: number, event: Record<string, unknown>): boolean {
    if (this.window && this.#isClosed(start)) return false;
    const agg = this.aggregator;
    const entry = this.#entry(key, start);
    this.#journal?.changing(entry);
    entry.acc = agg.add(entry.acc, event);
    if (!entry.unsaved) {
      entry.unsaved = true;
      this.#unsaved.push(entry);
    }
    // A final row is the whole aggregate, written once: no change marks, no deltas.
    if (this.emitsFinal) return true;
    if (this.trackDeltas) entry.delta = agg.add(entry.delta === undefined ? agg.init() : entry.delta, event);
    if (!entry.dirty) {
      entry.dirty = true;
      this.#dirty.push(entry);
    }
    return true;
  }

  /** Rows changed since the last call: whole aggregates, or this batch's deltas. Resets the change marks. */
  drainChanged(deltas: boolean): AggregateRowOut[] {
    const rows: AggregateRowOut[] = [];
    for (const e of this.#dirty) {
      rows.push(this.#row(e, this.aggregator.result(deltas ? e.delta : e.acc)));
      e.dirty = false;
      e.delta = undefined;
    }
    this.#dirty.length = 0;
    return rows;
  }

  #row(e: Pick<Entry, 'key' | 'windowStart'>, value: unknown): AggregateRowOut {
    return e.windowStart === undefined
      ? { key: e.key, value }
      : { key: e.key, windowStart: e.windowStart, windowEnd: e.windowStart + this.window!.sizeMs, value };
  }

  /** With `emit: 'final'`: the rows of the windows closed since the last call (whole aggregates; for a counter, its one delta). */
  drainClosed(): AggregateRowOut[] {
    const rows = this.#closed;
    this.#closed = [];
    return rows;
  }

  /** The rows of every open window, as they stand: written when a bounded input ends. */
  openRows(): AggregateRowOut[] {
    const rows: AggregateRowOut[] = [];
    for (const keys of this.#windows.values())
      for (const e of keys.values()) rows.push(this.#row(e, this.aggregator.result(e.acc)));
    for (const e of this.#storedOnly()) rows.push(this.#storedRow(e));
    return rows;
  }

  /** With a store: the committed entries memory does not hold (memory holds the newer ones), of every open window. */
  *#storedOnly(): Iterable<StoredEntry> {
    const backed = this.#backed;
    if (!backed) return;
    for (const [start, keys] of this.#windows) yield* backed.stored(start, keys);
    for (const start of backed.storedWindows(this.#windows)) yield* backed.stored(start, undefined);
  }

  #storedRow([key, windowStart, acc]: StoredEntry): AggregateRowOut {
    return this.#row({ key, windowStart: this.window ? windowStart : undefined }, this.aggregator.result(acc));
  }

  /** The rows of every open window, which are then dropped: a counter's last delta at the end of its input. */
  drainOpen(): AggregateRowOut[] {
    const rows = this.openRows();
    for (const start of this.#backed?.storedWindows(this.#windows) ?? []) this.#evict(start, undefined, false);
    for (const [start, keys] of this.#windows) this.#evict(start, keys, false);
    return rows;
  }

  /** A window leaves the state (its final rows kept when `rows`); returns how many entries it held. */
  #evict(start: number, keys: Map<unknown, Entry> | undefined, rows: boolean): number {
    let evicted = keys?.size ?? 0;
    if (rows && keys) for (const e of keys.values()) this.#closed.push(this.#row(e, this.aggregator.result(e.acc)));
    if (this.#backed)
      evicted += this.#backed.evict(start, keys, rows ? (e) => this.#closed.push(this.#storedRow(e)) : undefined);
    this.#windows.delete(start);
    this.#evictedUnsaved.add(start);
    if (keys) this.#journal?.evicted(start, keys);
    return evicted;
  }

  /**
   * Ends a batch: the watermark moves to the latest event time seen — of the
   * slowest split, when the source has splits — and windows behind it are
   * evicted. It never moves back.
   */
  advanceWatermark(pendingSplits?: readonly number[]): number {
    // Splits that still have records to deliver hold the watermark at their own progress (-∞ if not read yet).
    const held = (pendingSplits ?? []).map((s) => this.#splitMax.get(s) ?? -Infinity);
    const candidate = Math.min(this.#maxEventTime, ...held);
    if (candidate > this.#watermark) this.#watermark = candidate;
    if (!this.window) return 0;
    let evicted = 0;
    for (const start of this.#backed?.storedWindows(this.#windows) ?? [])
      if (this.#isClosed(start)) evicted += this.#evict(start, undefined, this.emitsFinal);
    for (const [start, keys] of this.#windows)
      if (this.#isClosed(start)) evicted += this.#evict(start, keys, this.emitsFinal);
    return evicted;
  }

  /** The whole state: costs what the state holds, so a checkpoint takes it only now and then (see `takeCheckpoint`). */
  snapshot(): StateSnapshot {
    const entries: [unknown, number | null, unknown][] = [];
    for (const keys of this.#windows.values())
      for (const e of keys.values()) entries.push([e.key, e.windowStart ?? null, e.acc]);
    for (const [key, start, acc] of this.#storedOnly()) entries.push([key, this.window ? start : null, acc]);
    return { watermark: this.#watermark, entries };
  }

  /**
   * What the next checkpoint holds: the whole state, or the delta since the
   * last one (costing what changed). Either way the change marks start over:
   * a checkpoint store applies each delta to the state it saved before.
   */
  takeCheckpoint(whole: boolean): StateSnapshot | StateDelta {
    const taken = whole ? this.snapshot() : this.#delta();
    this.#backed?.taken(this.#unsaved);
    this.#clearUnsaved();
    this.#journal?.close(this.#scalars());
    return taken;
  }

  #clearUnsaved(): void {
    for (const e of this.#unsaved) e.unsaved = false;
    this.#unsaved.length = 0;
    this.#evictedUnsaved.clear();
  }

  /** The oldest checkpoint taken (`takeCheckpoint`) is saved: a rollback no longer goes behind it. */
  checkpointSaved(): void {
    this.#journal?.saved();
    this.#backed?.saved(this.#windows);
  }

  /**
   * Back to the state of the last saved checkpoint, as if the batches since
   * had never been read: their changes undone, their evicted windows back,
   * their pending rows dropped. Costs what changed since, with no copy of
   * the state kept (needs `rollbackable`).
   */
  rollback(): void {
    if (!this.#journal) throw new Error('rollback() needs an AggregationState made rollbackable');
    const scalars = this.#journal.rollback(this.#windows);
    this.#watermark = scalars.watermark;
    this.#maxEventTime = scalars.maxEventTime;
    this.#splitMax.clear();
    for (const [split, max] of scalars.splitMax) this.#splitMax.set(split, max);
    for (const e of this.#dirty) {
      e.dirty = false;
      e.delta = undefined;
    }
    this.#dirty.length = 0;
    this.#clearUnsaved();
    this.#closed = [];
  }

  #delta(): StateDelta {
    const entries: [unknown, number | null, unknown][] = [];
    for (const e of this.#unsaved) {
      const start = e.windowStart ?? unwindowed;
      // Changed, then evicted with its window: the delta's eviction already drops it.
      if (this.#evictedUnsaved.has(start) && this.#windows.get(start)?.get(keyId(e.key)) !== e) continue;
      entries.push([e.key, e.windowStart ?? null, e.acc]);
    }
    return { kind: 'delta', watermark: this.#watermark, evicted: [...this.#evictedUnsaved], entries };
  }

  /** Resets the state to a checkpoint's snapshot: nothing unsaved, nothing to write. */
  restore(snapshot: StateSnapshot): void {
    this.#windows.clear();
    this.#backed?.reset();
    this.#splitMax.clear();
    this.#dirty.length = 0;
    this.#unsaved.length = 0;
    this.#evictedUnsaved.clear();
    this.#closed = [];
    this.#watermark = snapshot.watermark ?? -Infinity;
    this.#maxEventTime = this.#watermark;
    this.#put(snapshot.entries);
  }

  /** Entries of a saved checkpoint: nothing a rollback should undo, so the journal starts over after them. */
  #put(entries: StateSnapshot['entries']): void {
    const journal = this.#journal;
    this.#journal = undefined;
    for (const [key, windowStart, acc] of entries) this.#entry(key, windowStart ?? unwindowed).acc = acc;
    this.#journal = journal && new StateJournal(this.#scalars());
  }

  /** Applies a checkpoint's delta to the state restored so far (see `StateDelta`): a restore builds the state once, here. */
  apply(delta: StateDelta): void {
    this.#watermark = delta.watermark ?? -Infinity;
    this.#maxEventTime = this.#watermark;
    for (const start of delta.evicted) this.#windows.delete(start);
    this.#put(delta.entries);
  }
}
