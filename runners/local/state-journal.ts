/** An entry as the journal sees it: its accumulator, and the epoch that last journaled it. */
export interface JournaledEntry {
  acc: unknown;
  journaled: number;
}

/** What the state holds beside its entries: restored whole at a rollback. */
export interface StateScalars {
  readonly watermark: number;
  readonly maxEventTime: number;
  readonly splitMax: ReadonlyMap<number, number>;
}

type Op<E> =
  | { readonly kind: 'changed'; readonly entry: E; readonly acc: unknown }
  | { readonly kind: 'created'; readonly window: number; readonly id: unknown }
  | { readonly kind: 'evicted'; readonly window: number; readonly keys: Map<unknown, E> };

interface Epoch<E> {
  readonly ops: Op<E>[];
  /** The state's scalars when the epoch began: where a rollback through it leaves them. */
  readonly scalars: StateScalars;
}

/**
 * How a state without a durable checkpoint rolls back to its last saved
 * checkpoint without keeping a second copy of itself: an undo log of what
 * changed since. Each checkpoint taken closes an epoch; a checkpoint saved
 * (acknowledged, in order) drops the oldest; a rollback undoes every epoch
 * still open, newest first. It costs what changed: one record for the first
 * change of an entry in an epoch (its accumulator before), one for an entry
 * created, one for a window evicted (its map, kept as it was).
 *
 * Accumulators are replaced, never changed in place (the built-in
 * aggregators return new values), so the value kept is the value before.
 */
export class StateJournal<E extends JournaledEntry> {
  #epoch: Epoch<E>;
  #number = 1;
  readonly #unsaved: Epoch<E>[] = [];

  constructor(scalars: StateScalars) {
    this.#epoch = { ops: [], scalars };
  }

  /** Before an entry's accumulator changes. */
  changing(entry: E): void {
    if (entry.journaled === this.#number) return;
    entry.journaled = this.#number;
    this.#epoch.ops.push({ kind: 'changed', entry, acc: entry.acc });
  }

  /** An entry new to the state: a rollback removes it. */
  created(entry: E, window: number, id: unknown): void {
    entry.journaled = this.#number;
    this.#epoch.ops.push({ kind: 'created', window, id });
  }

  /** A window that left the state, with its entries: a rollback puts it back. */
  evicted(window: number, keys: Map<unknown, E>): void {
    this.#epoch.ops.push({ kind: 'evicted', window, keys });
  }

  /** A checkpoint was taken: what follows belongs to the next one. */
  close(scalars: StateScalars): void {
    this.#unsaved.push(this.#epoch);
    this.#epoch = { ops: [], scalars };
    this.#number++;
  }

  /** The oldest checkpoint taken is saved: its changes will never be undone. */
  saved(): void {
    this.#unsaved.shift();
  }

  /** Undoes every change since the last saved checkpoint in `windows`; returns the scalars to restore. */
  rollback(windows: Map<number, Map<unknown, E>>): StateScalars {
    const epochs = [...this.#unsaved, this.#epoch];
    for (let e = epochs.length - 1; e >= 0; e--) {
      const ops = epochs[e]!.ops;
      for (let i = ops.length - 1; i >= 0; i--) undo(ops[i]!, windows);
    }
    const scalars = epochs[0]!.scalars;
    this.#unsaved.length = 0;
    this.#epoch = { ops: [], scalars };
    this.#number++;
    return scalars;
  }
}

function undo<E extends JournaledEntry>(op: Op<E>, windows: Map<number, Map<unknown, E>>): void {
  switch (op.kind) {
    case 'changed':
      op.entry.acc = op.acc;
      return;
    case 'created': {
      const keys = windows.get(op.window);
      keys?.delete(op.id);
      if (keys?.size === 0) windows.delete(op.window);
      return;
    }
    case 'evicted':
      windows.set(op.window, op.keys);
      return;
  }
}
