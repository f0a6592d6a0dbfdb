import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../connectors/durable-file.ts';
import { RunnerError } from '../../runtime/runner-error.ts';

/**
 * A repair with `--checkpoint` rewrites the sink rows first and the
 * checkpoint's state last. One that dies in between leaves rows the state does
 * not match, and a resumed stream would write its stale state over them. This
 * marker, in the checkpoint folder from the start of the repair to its end,
 * keeps the stream from resuming until a repair completes. (Who may work in
 * the folder at all is the folder lock's job: a stream and a repair never run
 * at once there, so a marker the stream finds is always a dead repair's.)
 */
export interface PendingRepair {
  readonly pipeline: string;
  readonly pid: number;
  readonly since: string;
}

const markerPath = (dir: string) => join(dir, 'repair-pending.json');

export function markRepairPending(dir: string, pipeline: string): { done(): void } {
  const path = markerPath(dir);
  writeFileAtomically(
    path,
    JSON.stringify({ pipeline, pid: process.pid, since: new Date().toISOString() } satisfies PendingRepair),
  );
  return { done: () => rmSync(path, { force: true }) };
}

/** Refuses to run a stream whose checkpoint a repair left half rewritten. */
export function assertNoPendingRepair(dir: string): void {
  const path = markerPath(dir);
  if (!existsSync(path)) return;
  let pending: Partial<PendingRepair> = {};
  try {
    pending = JSON.parse(readFileSync(path, 'utf8')) as PendingRepair;
  } catch {
    // Unreadable: still a repair that did not finish.
  }
  throw new RunnerError(
    `a repair of ${pending.pipeline ?? 'this pipeline'} with checkpoint ${dir} (pid ${pending.pid ?? '?'}, ${pending.since ?? 'time unknown'}) did not finish: the checkpoint's state may not match the repaired rows; run the repair again before resuming`,
  );
}
