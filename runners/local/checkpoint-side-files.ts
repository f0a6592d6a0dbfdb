import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../connectors/durable-file.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { reachBeforeBatch } from './archive-reach.ts';
import type { BatchProgress, Checkpoint } from './checkpoint.ts';

export const writeJsonAtomically = (path: string, value: unknown) => writeFileAtomically(path, JSON.stringify(value));

export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new RunnerError(`checkpoint ${path} is unreadable (${(error as Error).message}); remove it to start over`);
  }
}

/** A batch's progress with the reach its system of record may have before the batch (see archive-reach.ts). */
export function progressWithReach(
  next: BatchProgress,
  checkpoint: Pick<Checkpoint, 'position' | 'archiveReach'> | undefined,
  old: BatchProgress | undefined,
): BatchProgress {
  const { archiveReach: _, ...rest } = next;
  const reach = reachBeforeBatch(checkpoint, old);
  return reach === undefined ? rest : { ...rest, archiveReach: reach };
}

/**
 * The files a checkpoint folder keeps beside the checkpoint itself, whatever
 * holds the state: `progress.json` (the sink writes done in the batch in
 * flight) and `crashes.json` (where injected crashes already struck).
 */
export class CheckpointSideFiles {
  constructor(
    readonly dir: string,
    /** The last committed checkpoint's position and reach. */
    readonly lastSaved: () => Pick<Checkpoint, 'position' | 'archiveReach'> | undefined,
  ) {}

  progress(): BatchProgress | undefined {
    return readJson<BatchProgress>(join(this.dir, 'progress.json'));
  }

  saveProgress(progress: BatchProgress): void {
    writeJsonAtomically(
      join(this.dir, 'progress.json'),
      progressWithReach(progress, this.lastSaved(), this.progress()),
    );
  }

  crashedAt(): readonly (number | string)[] {
    return readJson<(number | string)[]>(join(this.dir, 'crashes.json')) ?? [];
  }

  markCrash(point: number | string): void {
    writeJsonAtomically(join(this.dir, 'crashes.json'), [...this.crashedAt(), point]);
  }
}

/** A checkpoint folder's side files, as `CheckpointStore` methods: what the folder's kinds (state in files, state in a store) share. */
export abstract class FolderSideFiles {
  protected abstract readonly side: CheckpointSideFiles;

  progress(): BatchProgress | undefined {
    return this.side.progress();
  }

  saveProgress(progress: BatchProgress): void {
    this.side.saveProgress(progress);
  }

  crashedAt(): readonly (number | string)[] {
    return this.side.crashedAt();
  }

  markCrash(point: number | string): void {
    this.side.markCrash(point);
  }
}
