import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from '../runner-error.ts';

/** Who holds a checkpoint folder: a running stream, or a repair rewriting its state. */
export interface LockHolder {
  readonly pid: number;
  readonly role: 'run' | 'repair';
  readonly pipeline: string;
  readonly since: string;
}

export interface FolderLock {
  /** A holder whose process died with the lock: a repair that did not finish must be run again before the stream resumes. */
  readonly stale: LockHolder | undefined;
  release(): void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined; // half-written by a holder that died at once: nobody holds it
  }
}

/**
 * Takes `<dir>/stream.lock` for a stream or a repair, so the two never work
 * on one checkpoint at once: a repair while the stream runs would be undone by
 * the stream's next write from its own state. The lock names its holder; the
 * second process is refused with that name. A lock left by a dead process is
 * taken over, and reported as stale to the new holder.
 */
export function lockFolder(dir: string, role: LockHolder['role'], pipeline: string): FolderLock {
  const path = join(dir, 'stream.lock');
  const holder: LockHolder = { pid: process.pid, role, pipeline, since: new Date().toISOString() };
  try {
    writeFileSync(path, JSON.stringify(holder), { flag: 'wx' });
    return { stale: undefined, release: () => releaseIfMine(path) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const other = readHolder(path);
  if (other && other.pid !== process.pid && alive(other.pid)) {
    const what = other.role === 'repair' ? 'a repair of' : 'a running stream of';
    throw new RunnerError(`checkpoint ${dir} is in use by ${what} ${other.pipeline} (pid ${other.pid}, since ${other.since}); ${role === 'repair' ? 'stop the stream first (Ctrl-C writes a checkpoint), repair, then start it again' : 'wait for it to finish'}`);
  }
  if (other && other.pid === process.pid) throw new RunnerError(`checkpoint ${dir} is already in use by this process (${other.role} of ${other.pipeline})`);
  // The holder died: take the lock over, and tell the caller what was left unfinished.
  writeFileSync(path, JSON.stringify(holder));
  return { stale: other, release: () => releaseIfMine(path) };
}

function releaseIfMine(path: string): void {
  if (existsSync(path) && readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
}

/** The stream's lock: refused while a repair runs, and after a repair that died before rewriting the checkpoint's state. */
export function lockForRun(dir: string, pipeline: string): FolderLock {
  const lock = lockFolder(dir, 'run', pipeline);
  if (lock.stale?.role === 'repair') {
    writeFileSync(join(dir, 'stream.lock'), JSON.stringify(lock.stale)); // stays refused until a repair finishes
    throw new RunnerError(`a repair of ${lock.stale.pipeline} with checkpoint ${dir} (pid ${lock.stale.pid}, ${lock.stale.since}) did not finish: the checkpoint's state may not match the repaired rows; run the repair again before resuming`);
  }
  return lock;
}
