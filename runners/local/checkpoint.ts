import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../connectors/durable-file.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateSnapshot } from './aggregation-state.ts';
import { furthest, pastPosition, reachBeforeBatch } from './archive-reach.ts';
import { identityMismatch, type SourceIdentity } from './source-identity.ts';

/** What a restart needs: where the source was, the aggregation state, and how many batches were done. */
export interface Checkpoint {
  readonly pipeline: string;
  readonly batch: number;
  readonly position: unknown;
  readonly state: StateSnapshot;
  /** What the position is a position in (absent in checkpoints written before it was recorded). */
  readonly source?: SourceIdentity;
  /** Records read from the input's start through this batch, across restarts (absent in checkpoints written before it was kept): what a resumed run's progress counts on from. */
  readonly recordsRead?: number;
  /** The input had ended and the rows of the open `emit: 'final'` windows were written: a rerun that finds nothing new owes none. */
  readonly openRowsWritten?: true;
  /** How far a system of record may hold events past `position` (see archive-reach.ts); absent when it holds none. */
  readonly archiveReach?: unknown;
}

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
export function assertSameSource(checkpoint: Checkpoint | undefined, current: SourceIdentity, where: string): void {
  if (!checkpoint?.source) return;
  const why = identityMismatch(checkpoint.source, current);
  if (why === undefined) return;
  throw new RunnerError(
    `checkpoint ${where} was written for another input (${why}): it read ${checkpoint.source.description}; this run reads ${current.description}. ` +
      `Use another --checkpoint folder, or remove ${where} to start fresh`,
  );
}

const writeJsonAtomically = (path: string, value: unknown) => writeFileAtomically(path, JSON.stringify(value));

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new RunnerError(`checkpoint ${path} is unreadable (${(error as Error).message}); remove it to start over`);
  }
}

export interface CheckpointStore {
  load(pipeline: string): Checkpoint | undefined;
  save(checkpoint: Checkpoint): void;
  progress(): BatchProgress | undefined;
  saveProgress(progress: BatchProgress): void;
  /** Batches (or named points, such as `append 3`) at which an injected crash already happened: a restart must not crash there again. */
  crashedAt(): readonly (number | string)[];
  markCrash(point: number | string): void;
  readonly durable: boolean;
}

/** A checkpoint with the reach its system of record may have past it, from the previous checkpoint and the batch's progress. */
function withReach(
  next: Checkpoint,
  previous: Pick<Checkpoint, 'archiveReach'> | undefined,
  progress: BatchProgress | undefined,
): Checkpoint {
  const { archiveReach: _, ...rest } = next;
  const reach = pastPosition(next.position, furthest(previous?.archiveReach, progress?.archiveReach));
  return reach === undefined ? rest : { ...rest, archiveReach: reach };
}

function progressWithReach(
  next: BatchProgress,
  checkpoint: Pick<Checkpoint, 'position' | 'archiveReach'> | undefined,
  old: BatchProgress | undefined,
): BatchProgress {
  const { archiveReach: _, ...rest } = next;
  const reach = reachBeforeBatch(checkpoint, old);
  return reach === undefined ? rest : { ...rest, archiveReach: reach };
}

/** Checkpoints kept in memory: for runs with no --checkpoint folder (dry-runs, benchmarks), replay within the process only. */
export class MemoryCheckpoints implements CheckpointStore {
  readonly durable = false;
  #checkpoint: Checkpoint | undefined;
  #progress: BatchProgress | undefined;
  readonly #crashes: (number | string)[] = [];
  load = () => this.#checkpoint;
  save = (c: Checkpoint) => void (this.#checkpoint = withReach(c, this.#checkpoint, this.#progress));
  progress = () => this.#progress;
  saveProgress = (p: BatchProgress) => void (this.#progress = progressWithReach(p, this.#checkpoint, this.#progress));
  crashedAt = () => this.#crashes;
  markCrash = (point: number | string) => void this.#crashes.push(point);
}

/** A checkpoint folder: `checkpoint.json` (the last complete batch), `progress.json` (the batch in flight), `crashes.json`. */
export class FileCheckpoints implements CheckpointStore {
  readonly durable = true;
  /** The last checkpoint's position and reach, kept so a progress record need not parse the whole state. */
  #last: Pick<Checkpoint, 'position' | 'archiveReach'> | undefined;

  #lastSaved(): Pick<Checkpoint, 'position' | 'archiveReach'> | undefined {
    if (this.#last === undefined) {
      const saved = readJson<Checkpoint>(join(this.dir, 'checkpoint.json'));
      if (saved) this.#last = { position: saved.position, archiveReach: saved.archiveReach };
    }
    return this.#last;
  }

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  load(pipeline: string): Checkpoint | undefined {
    const checkpoint = readJson<Checkpoint>(join(this.dir, 'checkpoint.json'));
    if (checkpoint && checkpoint.pipeline !== pipeline) {
      throw new RunnerError(
        `checkpoint in ${this.dir} belongs to pipeline "${checkpoint.pipeline}", not "${pipeline}"; use another --checkpoint folder`,
      );
    }
    return checkpoint;
  }

  save(checkpoint: Checkpoint): void {
    try {
      const saved = withReach(checkpoint, this.#lastSaved(), this.progress());
      writeJsonAtomically(join(this.dir, 'checkpoint.json'), saved);
      this.#last = { position: saved.position, archiveReach: saved.archiveReach };
    } catch (error) {
      // Written to a temp file and renamed only when complete: the previous checkpoint is untouched.
      const previous = this.load(checkpoint.pipeline)?.batch;
      throw new RunnerError(
        `cannot write the checkpoint of batch ${checkpoint.batch} in ${this.dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${previous === undefined ? 'no earlier checkpoint exists' : `the checkpoint of batch ${previous} stays valid`}: free space and run again to resume`,
      );
    }
  }

  progress(): BatchProgress | undefined {
    return readJson<BatchProgress>(join(this.dir, 'progress.json'));
  }

  saveProgress(progress: BatchProgress): void {
    writeJsonAtomically(
      join(this.dir, 'progress.json'),
      progressWithReach(progress, this.#lastSaved(), this.progress()),
    );
  }

  crashedAt(): readonly (number | string)[] {
    return readJson<(number | string)[]>(join(this.dir, 'crashes.json')) ?? [];
  }

  markCrash(point: number | string): void {
    writeJsonAtomically(join(this.dir, 'crashes.json'), [...this.crashedAt(), point]);
  }
}
