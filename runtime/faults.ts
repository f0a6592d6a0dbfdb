import { RunnerError } from './runner-error.ts';

/**
 * Faults the local runner injects, deterministically for a seed:
 * - `write-fail=p`: a sink write fails before it is applied;
 * - `lost-ack=p`: a sink write is applied but its acknowledgement is lost, so
 *   the writer sees a failure and retries (the counter anti-pattern's trigger);
 * - `crash-at=n`: the process dies during batch n (a real exit under the CLI);
 * - `crash-after-checkpoint=n`: the process dies once batch n's checkpoint is
 *   saved, before the source is told (Kafka's offsets are not committed, the
 *   WAL segments the checkpoint covers are not deleted);
 * - `crash-mid-append=n`: the process dies in the middle of the receiver's n-th
 *   WAL append of the run (half its bytes written, not fsynced, not acknowledged);
 * - `duplicate=p`: the source delivers a record twice (an at-least-once queue);
 * - `loss=p`: a record is lost in flight after any system of record stored it,
 *   before it was aggregated (what repair exists for).
 */
export interface FaultSpec {
  readonly writeFail: number;
  readonly lostAck: number;
  readonly crashAt: readonly number[];
  readonly crashAfterCheckpoint?: readonly number[];
  readonly crashMidAppend?: readonly number[];
  readonly duplicate: number;
  readonly loss: number;
}

export const noFaults: FaultSpec = Object.freeze({ writeFail: 0, lostAck: 0, crashAt: [], duplicate: 0, loss: 0 });

const probabilities = {
  'write-fail': 'writeFail',
  'lost-ack': 'lostAck',
  duplicate: 'duplicate',
  loss: 'loss',
} as const;

/** Parses `"lost-ack=0.1,crash-at=5,duplicate=0.01"`; names the bad part on error. */
export function parseFaults(spec: string | undefined): FaultSpec {
  if (spec === undefined || spec.trim() === '') return noFaults;
  const faults: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } = { ...noFaults, crashAt: [] };
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = '', value = ''] = part.split('=').map((s) => s.trim());
    if (name === 'crash-at' || name === 'crash-after-checkpoint' || name === 'crash-mid-append') {
      const batches = value.split('+').map(Number);
      if (batches.some((b) => !Number.isInteger(b) || b < 1))
        throw new RunnerError(
          `--faults: ${name} takes ${name === 'crash-mid-append' ? 'append' : 'batch'} numbers >= 1 (e.g. ${name}=5 or ${name}=3+9), got "${value}"`,
        );
      if (name === 'crash-at') faults.crashAt = batches;
      else if (name === 'crash-mid-append') faults.crashMidAppend = batches;
      else faults.crashAfterCheckpoint = batches;
      continue;
    }
    const key = probabilities[name as keyof typeof probabilities];
    if (!key)
      throw new RunnerError(
        `--faults: unknown fault "${name}" (known: ${[...Object.keys(probabilities), 'crash-at', 'crash-after-checkpoint', 'crash-mid-append'].join(', ')})`,
      );
    const p = Number(value);
    if (value === '' || !(p >= 0 && p <= 1))
      throw new RunnerError(`--faults: ${name} takes a probability between 0 and 1, got "${value}"`);
    faults[key] = p;
  }
  return Object.freeze(faults);
}

export function describeFaults(f: FaultSpec): string {
  const parts = [
    f.writeFail && `write-fail=${f.writeFail}`,
    f.lostAck && `lost-ack=${f.lostAck}`,
    f.crashAt.length > 0 && `crash-at=${f.crashAt.join('+')}`,
    (f.crashAfterCheckpoint?.length ?? 0) > 0 && `crash-after-checkpoint=${f.crashAfterCheckpoint!.join('+')}`,
    (f.crashMidAppend?.length ?? 0) > 0 && `crash-mid-append=${f.crashMidAppend!.join('+')}`,
    f.duplicate && `duplicate=${f.duplicate}`,
    f.loss && `loss=${f.loss}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(',') : 'none';
}
