import type { FaultSpec } from '../../runtime/faults.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { CheckpointStore } from './checkpoint.ts';

/** Exit code of an injected crash under the CLI (as if killed by SIGKILL). */
export const crashExitCode = 137;

export class SimulatedCrash extends Error {
  constructor(readonly batch: number) {
    super(`injected crash in batch ${batch}`);
  }
}

export const defaultCrash = (): never => process.exit(crashExitCode);

export interface CrashSettings {
  readonly faults: FaultSpec;
  readonly checkpoints: CheckpointStore;
  /** What an injected crash does: the CLI exits the process; tests throw SimulatedCrash. */
  readonly crash?: (batch: number) => never;
  readonly log: (line: string) => void;
}

/**
 * The injected crashes of a run (`--faults crash-at`, `crash-after-checkpoint`, `crash-mid-append`).
 * Each point strikes once: it is recorded in the checkpoint folder before the process dies, so the
 * restarted run goes past it.
 */
export class CrashPoints {
  readonly #faults: FaultSpec;
  readonly #checkpoints: CheckpointStore;
  readonly #crash: (batch: number) => never;
  /** Said on stderr only when the crash is a real exit; a caller with its own crash handler says what it likes. */
  readonly #say: ((line: string) => void) | undefined;

  constructor(settings: CrashSettings) {
    this.#faults = settings.faults;
    this.#checkpoints = settings.checkpoints;
    this.#crash = settings.crash ?? defaultCrash;
    this.#say = settings.crash ? undefined : settings.log;
    const points = [this.#faults.crashAt, this.#faults.crashAfterCheckpoint ?? [], this.#faults.crashMidAppend ?? []];
    if (points.some((batches) => batches.length > 0) && !this.#checkpoints.durable && !settings.crash) {
      throw new RunnerError(
        '--faults crash-at / crash-after-checkpoint / crash-mid-append need --checkpoint <dir>: without a durable checkpoint a crash cannot be recovered from',
      );
    }
  }

  /** Whether a crash strikes during this batch's writes (at a point the batch writer draws). */
  inBatch(batch: number): boolean {
    return this.#faults.crashAt.includes(batch) && !this.#checkpoints.crashedAt().includes(batch);
  }

  strikeInBatch(batch: number): never {
    return this.#strike(batch, batch, `injected crash in batch ${batch}`);
  }

  /** The kill point between a durable checkpoint and Kafka's offset commit: the group's offsets then trail the checkpoint. */
  afterCheckpoint(batch: number): void {
    if (!this.#faults.crashAfterCheckpoint?.includes(batch) || this.#checkpoints.crashedAt().includes(batch)) return;
    this.#strike(batch, batch, `injected crash after the checkpoint of batch ${batch}`);
  }

  /** The receiver's crash-mid-append point for this run: the first named append it has not yet struck. */
  midAppend(): { append: number; crash: () => never } | undefined {
    const append = this.#faults.crashMidAppend?.find((n) => !this.#checkpoints.crashedAt().includes(`append ${n}`));
    if (append === undefined) return undefined;
    return {
      append,
      crash: () => this.#strike(`append ${append}`, 0, `injected crash in the middle of WAL append ${append}`),
    };
  }

  #strike(point: number | string, batch: number, line: string): never {
    this.#checkpoints.markCrash(point);
    this.#say?.(line);
    return this.#crash(batch);
  }
}
