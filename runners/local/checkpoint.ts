import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../connectors/durable-file.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateDelta, StateSnapshot, StateTarget } from './aggregation-state.ts';
import { furthest, pastPosition } from './archive-reach.ts';
import { CheckpointSideFiles, FolderSideFiles, progressWithReach, readJson } from './checkpoint-side-files.ts';
import { identityMismatch, type SourceIdentity } from './source-identity.ts';
import { StateImage } from './state-image.ts';
import {
  DamagedState,
  readState,
  removeOutsideChain,
  stateFolder,
  writeState,
  type StateChain,
} from './state-files.ts';

/** What a restart needs, but the state: where the source was and how many batches were done. */
export interface CheckpointHead {
  readonly pipeline: string;
  readonly batch: number;
  readonly position: unknown;
  /** What the position is a position in (absent in checkpoints written before it was recorded). */
  readonly source?: SourceIdentity;
  /** Records read from the input's start through this batch, across restarts (absent in checkpoints written before it was kept): what a resumed run's progress counts on from. */
  readonly recordsRead?: number;
  /** The input had ended and the rows of the open `emit: 'final'` windows were written: a rerun that finds nothing new owes none. */
  readonly openRowsWritten?: true;
  /** How far a system of record may hold events past `position` (see archive-reach.ts); absent when it holds none. */
  readonly archiveReach?: unknown;
}

/** A checkpoint as loaded: its head and the whole aggregation state. */
export interface Checkpoint extends CheckpointHead {
  readonly state: StateSnapshot;
}

/** A checkpoint to save: the whole state, or the delta since the last checkpoint saved (none for a pipeline without state). */
export interface CheckpointToSave extends CheckpointHead {
  readonly state?: StateSnapshot | StateDelta;
}

const noState: StateSnapshot = { watermark: -Infinity, entries: [] };

/**
 * Which sink writes of the batch in flight are done, so a replay does not
 * repeat them. The batch is identified by where it starts *and* ends: a
 * source read again from the same start may deliver a different batch (Kafka
 * interleaves partitions differently after a restart), and skipping a write
 * for records it never covered would lose them. And by its content (a digest
 * of its raw values), since the same positions may hold other records.
 */
export interface BatchProgress {
  readonly batchStart: unknown;
  readonly batchEnd: unknown;
  /** The batch's `batchDigest`, or absent where positions alone identify the records (the generator). */
  readonly digest?: string;
  readonly done: readonly string[];
  /** Carried from batches that wrote and never got their checkpoint (see archive-reach.ts). */
  readonly archiveReach?: unknown;
}

/** A checkpoint resumes only the input it read: another input's position would skip or misread records without a word. */
export function assertSameSource(checkpoint: CheckpointHead | undefined, current: SourceIdentity, where: string): void {
  if (!checkpoint?.source) return;
  const why = identityMismatch(checkpoint.source, current);
  if (why === undefined) return;
  throw new RunnerError(
    `checkpoint ${where} was written for another input (${why}): it read ${checkpoint.source.description}; this run reads ${current.description}. ` +
      `Use another --checkpoint folder, or remove ${where} to start fresh`,
  );
}

export interface CheckpointStore {
  /** The last checkpoint without its state: cheap, whatever the state's size. */
  head(pipeline: string): CheckpointHead | undefined;
  save(checkpoint: CheckpointToSave): void;
  /** Whether the next checkpoint should hold the whole state (a compaction) rather than a delta. */
  wantsWholeState(): boolean;
  progress(): BatchProgress | undefined;
  saveProgress(progress: BatchProgress): void;
  /** Batches (or named points, such as `append 3`) at which an injected crash already happened: a restart must not crash there again. */
  crashedAt(): readonly (number | string)[];
  markCrash(point: number | string): void;
  readonly durable: boolean;
}

/** Checkpoints a new process can resume from: state in files (`FileCheckpoints`) or in a store on disk (`DiskCheckpoints`). */
export interface DurableCheckpoints extends CheckpointStore {
  /** The last checkpoint's head, its state rebuilt into `into` (or, with a store, `into` reset to the store's last commit). */
  restoreInto(pipeline: string, into: StateTarget): CheckpointHead | undefined;
}

/** A checkpoint with the reach its system of record may have past it, from the previous checkpoint and the batch's progress. */
export function withReach<C extends CheckpointHead>(
  next: C,
  previous: Pick<Checkpoint, 'archiveReach'> | undefined,
  progress: BatchProgress | undefined,
): C {
  const { archiveReach: _, ...rest } = next;
  const reach = pastPosition(next.position, furthest(previous?.archiveReach, progress?.archiveReach));
  return (reach === undefined ? rest : { ...rest, archiveReach: reach }) as C;
}

/**
 * Checkpoints kept in memory: for runs with no --checkpoint folder (dry-runs,
 * benchmarks), replay within the process only. Only heads: no copy of the
 * state is kept, a replay rolls the state itself back (`AggregationState.rollback`).
 */
export class MemoryCheckpoints implements CheckpointStore {
  readonly durable = false;
  #checkpoint: CheckpointHead | undefined;
  #progress: BatchProgress | undefined;
  readonly #crashes: (number | string)[] = [];
  head = () => this.#checkpoint;
  save = (c: CheckpointToSave) => {
    const { state: _, ...head } = withReach(c, this.#checkpoint, this.#progress);
    this.#checkpoint = head;
  };
  /** Nothing is written: a whole state would only cost a copy. */
  wantsWholeState = () => false;
  progress = () => this.#progress;
  saveProgress = (p: BatchProgress) => void (this.#progress = progressWithReach(p, this.#checkpoint, this.#progress));
  crashedAt = () => this.#crashes;
  markCrash = (point: number | string) => void this.#crashes.push(point);
}

/** An earlier checkpoint whose state is whole, behind a damaged state record (see `FileCheckpoints.restoreInto`). */
export interface CheckpointFallback {
  /** The earlier checkpoint: its batch and source position, where a run resumes after `commit`. */
  readonly head: CheckpointHead;
  /** The batch of the checkpoint that could not be rebuilt: batches after `head.batch` up to it are read again. */
  readonly damagedBatch: number;
  /** Where `commit` keeps a copy of the damaged delta log. */
  readonly copy: string;
  /** Makes the earlier checkpoint the committed one (the damaged records are cut at the next save). */
  commit(): void;
}

/** A damaged state record, with an earlier checkpoint to go back to if replaying from there is safe. */
export class FallbackOffered extends RunnerError {
  constructor(
    readonly damage: DamagedState,
    readonly fallback: CheckpointFallback,
  ) {
    super(damage.message);
  }
}

/** Named in `checkpoint.json`: a folder of another layout is refused, never misread. */
export const checkpointLayout = 'idemflow-checkpoint/2';
/** … and the layout of a folder whose keyed state lives in a store on disk (`--state disk`, disk-checkpoints.ts). */
export const diskCheckpointLayout = 'idemflow-checkpoint/disk-1';

/**
 * Where a save can be cut: `state-written` (a delta appended and fsynced, or a
 * snapshot's temp file complete, not renamed), `state-renamed` (the snapshot
 * renamed), `manifest-written` (checkpoint.json's temp file complete, not
 * renamed), `committed` (checkpoint.json renamed; a compaction's old files not
 * yet removed).
 */
export type CheckpointStep = 'state-written' | 'state-renamed' | 'manifest-written' | 'committed';

/** `checkpoint.json` as written: the head, its layout, and which state files hold the state. */
interface Manifest extends CheckpointHead {
  readonly layout?: string;
  readonly state?: StateChain;
  /** In a folder of the disk layout: the store that holds the state. */
  readonly store?: string;
}

export interface FileCheckpointOptions {
  /** A compaction (a whole snapshot) once the deltas since the last one add up to this many bytes — at least the snapshot's own size (default 1 MiB). */
  readonly compactAfterBytes?: number;
  /** … or once there are this many deltas, whatever their size: restore reads each. */
  readonly compactAfterDeltas?: number;
  /** Steps of a save, where crash tests strike (see `CheckpointStep`). */
  readonly onStep?: (step: CheckpointStep, batch: number) => void;
}

/**
 * A checkpoint folder: `checkpoint.json` (the last complete batch: its head
 * and the state chain), `state/` (a snapshot and the deltas after it, each
 * checksummed), `progress.json` (the batch in flight), `crashes.json`.
 * A checkpoint writes its state file first, then replaces `checkpoint.json`:
 * that rename is the commit, so a crash anywhere leaves the previous
 * checkpoint whole. Files no committed checkpoint names are removed later.
 */
export class FileCheckpoints extends FolderSideFiles implements DurableCheckpoints {
  readonly durable = true;
  /** The last checkpoint's position and reach, kept so a progress record need not parse the whole state. */
  #last: Pick<Checkpoint, 'position' | 'archiveReach'> | undefined;
  /** The last committed state chain (undefined: not read yet; null: none). */
  #chain: StateChain | null | undefined;
  /** Left-over files are removed at the first save of a process, then at each compaction. */
  #tidy = false;
  readonly #options: FileCheckpointOptions;
  protected readonly side: CheckpointSideFiles;

  #lastSaved(): Pick<Checkpoint, 'position' | 'archiveReach'> | undefined {
    if (this.#last === undefined) {
      const saved = this.#manifest();
      if (saved) this.#last = { position: saved.position, archiveReach: saved.archiveReach };
    }
    return this.#last;
  }

  constructor(
    readonly dir: string,
    options: FileCheckpointOptions = {},
  ) {
    super();
    mkdirSync(dir, { recursive: true });
    this.#options = options;
    this.side = new CheckpointSideFiles(dir, () => this.#lastSaved());
  }

  #manifest(): Manifest | undefined {
    const manifest = readJson<Manifest>(join(this.dir, 'checkpoint.json'));
    if (manifest?.layout === diskCheckpointLayout)
      throw new RunnerError(
        `checkpoint in ${this.dir} keeps its keyed state on disk (layout "${diskCheckpointLayout}", in the store ${manifest.store}); this run keeps it in memory (layout "${checkpointLayout}"). ` +
          `Run again with --state disk to resume it, or use another --checkpoint folder (or remove ${this.dir}) to start over`,
      );
    if (manifest && manifest.layout !== checkpointLayout) {
      const found =
        manifest.layout === undefined
          ? 'the older layout (the whole state inside checkpoint.json, from idemflow before incremental checkpoints)'
          : `layout "${manifest.layout}"`;
      throw new RunnerError(
        `checkpoint in ${this.dir} has ${found}; this idemflow reads and writes layout "${checkpointLayout}" (checkpoint.json + snapshot and delta files in state/). ` +
          `Finish that run with the idemflow that wrote it, or use another --checkpoint folder (or remove ${this.dir}) to start over`,
      );
    }
    return manifest;
  }

  head(pipeline: string): CheckpointHead | undefined {
    const manifest = this.#manifest();
    if (manifest && manifest.pipeline !== pipeline) {
      throw new RunnerError(
        `checkpoint in ${this.dir} belongs to pipeline "${manifest.pipeline}", not "${pipeline}"; use another --checkpoint folder`,
      );
    }
    if (!manifest) return undefined;
    const { layout: _layout, state: _state, ...head } = manifest;
    return head;
  }

  load(pipeline: string): Checkpoint | undefined {
    const image = new StateImage();
    const head = this.restoreInto(pipeline, image);
    return head && { ...head, state: image.snapshot() };
  }

  /**
   * Throws `FallbackOffered` when a damaged state record follows good ones
   * written with their checkpoint's head: `into` then holds the state of that
   * earlier checkpoint, which the caller may take (`fallback.commit()`) once
   * it knows that replaying from there is safe.
   */
  restoreInto(pipeline: string, into: StateTarget): CheckpointHead | undefined {
    const head = this.head(pipeline);
    const chain = head && this.#manifest()?.state;
    if (!head || !chain) {
      into.restore(noState);
      return head;
    }
    try {
      readState(this.dir, pipeline, head.batch, chain, into);
      return head;
    } catch (error) {
      if (!(error instanceof DamagedState) || !error.good) throw error;
      throw new FallbackOffered(error, this.#fallback(head, error.good.chain, error.good.resume as CheckpointHead));
    }
  }

  /**
   * Going back to an earlier checkpoint whose state is whole: its head, with
   * the system of record's reach extended to where the damaged checkpoint
   * had got (those events are archived, and will be read again). Committing
   * keeps a copy of the damaged log in `damaged/`, for whoever investigates.
   */
  #fallback(damagedHead: CheckpointHead, chain: StateChain, resume: CheckpointHead): CheckpointFallback {
    const reach = furthest(furthest(resume.archiveReach, damagedHead.archiveReach), damagedHead.position);
    const { archiveReach: _, ...rest } = resume;
    const pastResume = pastPosition(resume.position, reach);
    const head: CheckpointHead = pastResume === undefined ? rest : { ...rest, archiveReach: pastResume };
    const log = join(stateFolder(this.dir), `deltas-${String(chain.generation).padStart(8, '0')}.log`);
    const copy = join(
      this.dir,
      'damaged',
      `deltas-${String(chain.generation).padStart(8, '0')}.after-batch-${damagedHead.batch}.log`,
    );
    return {
      head,
      damagedBatch: damagedHead.batch,
      copy,
      commit: () => {
        mkdirSync(join(this.dir, 'damaged'), { recursive: true });
        if (existsSync(log)) copyFileSync(log, copy);
        const manifest: Manifest = { layout: checkpointLayout, ...head, state: chain };
        writeFileAtomically(join(this.dir, 'checkpoint.json'), JSON.stringify(manifest));
        this.#chain = chain;
        this.#last = { position: head.position, archiveReach: head.archiveReach };
      },
    };
  }

  #committedChain(): StateChain | undefined {
    if (this.#chain === undefined) this.#chain = this.#manifest()?.state ?? null;
    return this.#chain ?? undefined;
  }

  wantsWholeState(): boolean {
    const chain = this.#committedChain();
    if (!chain) return false;
    const bytes = Math.max(chain.snapshotBytes, this.#options.compactAfterBytes ?? 1 << 20);
    return chain.logBytes >= bytes || chain.deltas >= (this.#options.compactAfterDeltas ?? 1_000);
  }

  save(checkpoint: CheckpointToSave): void {
    const step = this.#options.onStep;
    let chain: StateChain | undefined;
    try {
      const { state, ...head } = withReach(checkpoint, this.#lastSaved(), this.progress());
      const before = this.#committedChain();
      chain =
        state === undefined
          ? undefined
          : writeState(
              {
                dir: this.dir,
                pipeline: head.pipeline,
                batch: head.batch,
                resume: head,
                beforeRename: step && (() => step('state-written', head.batch)),
              },
              state,
              before,
            );
      if (state && 'kind' in state) step?.('state-written', head.batch);
      else step?.('state-renamed', head.batch);
      const manifest: Manifest = { layout: checkpointLayout, ...head, ...(chain ? { state: chain } : {}) };
      writeFileAtomically(
        join(this.dir, 'checkpoint.json'),
        JSON.stringify(manifest),
        step && (() => step('manifest-written', head.batch)),
      );
      this.#chain = chain ?? null;
      this.#last = { position: head.position, archiveReach: head.archiveReach };
    } catch (error) {
      if (error instanceof RunnerError) throw error;
      // Each file is written to a temp file and renamed only when complete, checkpoint.json last: the previous checkpoint is untouched.
      const previous = this.head(checkpoint.pipeline)?.batch;
      throw new RunnerError(
        `cannot write the checkpoint of batch ${checkpoint.batch} in ${this.dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${previous === undefined ? 'no earlier checkpoint exists' : `the checkpoint of batch ${previous} stays valid`}: free space and run again to resume`,
      );
    }
    step?.('committed', checkpoint.batch);
    if (!this.#tidy || (chain && chain.snapshot && chain.deltas === 0)) {
      this.#tidy = true;
      removeOutsideChain(this.dir, chain);
    }
  }
}
