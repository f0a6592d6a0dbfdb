import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { writeFileAtomically } from '../../connectors/durable-file.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateTarget } from './aggregation-state.ts';
import { CheckpointSideFiles, FolderSideFiles, readJson } from './checkpoint-side-files.ts';
import {
  checkpointLayout,
  diskCheckpointLayout,
  withReach,
  type CheckpointHead,
  type CheckpointToSave,
  type DurableCheckpoints,
} from './checkpoint.ts';
import {
  StateStore,
  stateStoreLayout,
  stateStoreLayoutWithoutLog,
  type Lmdb,
  type StoreIdentity,
  type StoreMergeOptions,
} from './state-store.ts';

/** `checkpoint.json` of a folder whose state lives in a store: which store, and the pairing both carry. No head: the store holds it. */
interface DiskPointer {
  readonly layout: string;
  readonly pipeline: string;
  /** Relative to the checkpoint folder when inside it, so that the folder can move. */
  readonly store: string;
  readonly pairing: string;
}

export interface DiskCheckpointOptions {
  /** The store's folder (default `<checkpoint folder>/state-lmdb`). */
  readonly storeDir?: string;
  /** After a checkpoint committed: where crash tests strike. */
  readonly onCommitted?: (batch: number) => void;
  /** When the store merges its delta log into LMDB (defaults in state-store.ts); the fault campaign merges often. */
  readonly merge?: StoreMergeOptions;
}

export const defaultStoreDir = (checkpointDir: string) => join(checkpointDir, 'state-lmdb');

/**
 * A checkpoint folder whose keyed state lives in an LMDB store (`--state
 * disk`). A checkpoint is one commit of the store: the entries the batches
 * changed, the windows they evicted, and the head (batch, source position,
 * input), appended to the store's delta log or merged into LMDB (see
 * state-store.ts). That commit is the checkpoint: no snapshot, no second
 * copy. `checkpoint.json` only names the store; the folder keeps
 * `progress.json` and `crashes.json` as with state in memory.
 */
export class DiskCheckpoints extends FolderSideFiles implements DurableCheckpoints {
  readonly durable = true;
  #head: CheckpointHead | undefined;
  protected readonly side: CheckpointSideFiles;

  private constructor(
    readonly dir: string,
    readonly storeDir: string,
    readonly store: StateStore,
    readonly options: DiskCheckpointOptions,
  ) {
    super();
    const head = store.head();
    this.#head = head === undefined ? undefined : (JSON.parse(head) as CheckpointHead);
    this.side = new CheckpointSideFiles(dir, () => this.#head);
  }

  /** Opens the folder and its store, refusing a folder or a store of another layout, pipeline or pairing (naming both). */
  static open(lmdb: Lmdb, dir: string, pipeline: string, options: DiskCheckpointOptions = {}): DiskCheckpoints {
    mkdirSync(dir, { recursive: true });
    const storeDir = resolve(options.storeDir ?? defaultStoreDir(dir));
    const pointer = readPointer(dir, pipeline, storeDir);
    const store = StateStore.open(lmdb, storeDir, options.merge);
    try {
      const identity = storeIdentity(store, { dir, storeDir, pipeline, pointer });
      if (!pointer) {
        const inside = relative(resolve(dir), storeDir);
        const named = inside.startsWith('..') || isAbsolute(inside) ? storeDir : inside;
        const written: DiskPointer = {
          layout: diskCheckpointLayout,
          pipeline,
          store: named,
          pairing: identity.pairing,
        };
        writeFileAtomically(join(dir, 'checkpoint.json'), JSON.stringify(written));
      }
      return new DiskCheckpoints(dir, storeDir, store, options);
    } catch (error) {
      void store.close();
      throw error;
    }
  }

  /** Opens a folder of the disk layout at the store its `checkpoint.json` names (for repair, which has no --state). */
  static openNamed(lmdb: Lmdb, dir: string, pipeline: string): DiskCheckpoints {
    const pointer = readJson<Partial<DiskPointer>>(join(dir, 'checkpoint.json'));
    return DiskCheckpoints.open(lmdb, dir, pipeline, { storeDir: resolve(dir, pointer?.store ?? '') });
  }

  head(pipeline: string): CheckpointHead | undefined {
    if (this.#head && this.#head.pipeline !== pipeline)
      throw new RunnerError(
        `checkpoint in ${this.dir} belongs to pipeline "${this.#head.pipeline}", not "${pipeline}"; use another --checkpoint folder`,
      );
    return this.#head;
  }

  /** The store holds the state: `into` only starts over from its last commit (its watermark; entries are read as touched). */
  restoreInto(pipeline: string, into: StateTarget): CheckpointHead | undefined {
    const head = this.head(pipeline);
    into.restore({ watermark: this.store.watermark, entries: [] });
    return head;
  }

  /** Never: a commit writes what changed, and the store is the whole state. */
  wantsWholeState(): boolean {
    return false;
  }

  save(checkpoint: CheckpointToSave): void {
    const { state, ...head } = withReach(checkpoint, this.#head, this.progress());
    try {
      this.store.commit(state, JSON.stringify(head), checkpoint.batch);
    } catch (error) {
      const previous = this.#head?.batch;
      throw new RunnerError(
        `cannot write the checkpoint of batch ${checkpoint.batch} to the state store ${this.storeDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${previous === undefined ? 'no earlier checkpoint exists' : `the checkpoint of batch ${previous} stays valid`}: free space and run again to resume`,
      );
    }
    this.#head = head;
    this.options.onCommitted?.(checkpoint.batch);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** The folder's `checkpoint.json`, if any: it must be of the disk layout, for this pipeline and this store. */
function readPointer(dir: string, pipeline: string, storeDir: string): DiskPointer | undefined {
  const pointer = readJson<Partial<DiskPointer>>(join(dir, 'checkpoint.json'));
  if (!pointer) return undefined;
  if (pointer.layout !== diskCheckpointLayout) {
    const found =
      pointer.layout === undefined
        ? 'the older layout (the whole state inside checkpoint.json)'
        : `layout "${pointer.layout}"`;
    throw new RunnerError(
      `checkpoint in ${dir} keeps its keyed state in files (${found}${pointer.layout === checkpointLayout ? ', state in memory' : ''}); this run keeps it on disk (--state disk, layout "${diskCheckpointLayout}"). ` +
        `Run again without --state disk to resume it, or use another --checkpoint folder (or remove ${dir}) to start over`,
    );
  }
  if (pointer.pipeline !== pipeline)
    throw new RunnerError(
      `checkpoint in ${dir} belongs to pipeline "${pointer.pipeline}", not "${pipeline}"; use another --checkpoint folder`,
    );
  const named = resolve(dir, pointer.store ?? '');
  if (named !== storeDir)
    throw new RunnerError(
      `checkpoint in ${dir} keeps its keyed state in the store ${named}, not ${storeDir}: run with --state disk:${named} to resume it, or use another --checkpoint folder`,
    );
  return pointer as DiskPointer;
}

interface Pairing {
  readonly dir: string;
  readonly storeDir: string;
  readonly pipeline: string;
  readonly pointer: DiskPointer | undefined;
}

/** The store's identity, made on first use; a store of another layout, pipeline or checkpoint folder is refused. */
function storeIdentity(store: StateStore, { dir, storeDir, pipeline, pointer }: Pairing): StoreIdentity {
  const identity = upgraded(store);
  if (identity && identity.layout !== stateStoreLayout)
    throw new RunnerError(
      `the state store ${storeDir} has layout "${identity.layout}"; this idemflow reads and writes "${stateStoreLayout}". Finish that run with the idemflow that wrote it, or give another --state disk:<dir>`,
    );
  if (identity && identity.pipeline !== pipeline)
    throw new RunnerError(
      `the state store ${storeDir} holds the state of pipeline "${identity.pipeline}", not "${pipeline}"; give another --state disk:<dir>`,
    );
  if (pointer) {
    if (!identity)
      throw new RunnerError(
        `checkpoint in ${dir} keeps its keyed state in the store ${storeDir}, which is missing or empty: put the store back, or remove ${dir} to start over (never from an empty state unasked)`,
      );
    if (identity.pairing !== pointer.pairing)
      throw new RunnerError(
        `the state store ${storeDir} belongs to another checkpoint folder than ${dir} (pairing ${identity.pairing}, the folder's is ${pointer.pairing}): put back the store that folder wrote, or use another --checkpoint folder`,
      );
    return identity;
  }
  const head = store.head();
  if (identity && head !== undefined)
    throw new RunnerError(
      `the state store ${storeDir} holds the checkpoint of another folder (pipeline "${identity.pipeline}", after batch ${(JSON.parse(head) as CheckpointHead).batch}), and ${dir} has none: give another --state disk:<dir>, or remove the store to start over`,
    );
  if (identity) return identity; // made, then the process stopped before checkpoint.json named it
  const made: StoreIdentity = { layout: stateStoreLayout, pipeline, pairing: randomUUID() };
  store.setIdentity(made);
  return made;
}

/** The store's identity; one of layout 1 (no delta log) is marked 2 first, so that an idemflow that reads no log refuses it. */
function upgraded(store: StateStore): StoreIdentity | undefined {
  const identity = store.identity();
  if (identity?.layout !== stateStoreLayoutWithoutLog) return identity;
  const marked = { ...identity, layout: stateStoreLayout };
  store.setIdentity(marked);
  return marked;
}
