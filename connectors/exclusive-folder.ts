import { linkSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { syncDirectory, writeFileAtomically } from './durable-file.ts';
import { UserFacingError } from '../runtime/user-facing-error.ts';

/** Who holds a folder: enough to find the process, and to tell a dead holder from a live one. */
export interface FolderHolder {
  readonly pid: number;
  readonly host: string;
  /** The holder's start time in clock ticks since boot (Linux): tells a reused pid from the holder. */
  readonly pidStart?: number;
  readonly command: string;
  readonly since: string;
}

/** A folder another live process holds: the CLI prints the message (no stack). */
export class FolderHeldError extends UserFacingError {
  override readonly name = 'FolderHeldError';
}

export interface FolderHold {
  release(): void;
}

const lockFileName = 'idemflow.lock';
/** Locks this process holds, by folder, with how many holders inside the process share each. */
const held = new Map<string, { count: number; path: string; holder: FolderHolder }>();

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const startTicks = (pid: number) => {
  const ticks = Number(procStat(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
};

/** Whether the holder still runs: its pid exists, is not a zombie, and (where known) started when the holder did. */
function holderAlive(holder: FolderHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const stat = procStat(holder.pid);
  if (!stat) return true;
  if (stat[0] === 'Z' || stat[0] === 'X') return false;
  return holder.pidStart === undefined || Number(stat[19]) === holder.pidStart;
}

function readHolder(path: string): FolderHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FolderHolder;
  } catch {
    return undefined;
  }
}

function thisProcess(): FolderHolder {
  const [, script = '', ...args] = process.argv;
  const command = [basename(script) === 'idemflow.js' ? 'idemflow' : basename(script), ...args].join(' ');
  return {
    pid: process.pid,
    host: hostname(),
    pidStart: startTicks(process.pid),
    command: command.length > 200 ? `${command.slice(0, 200)}…` : command,
    since: new Date().toISOString(),
  };
}

/**
 * Creates the lock file with its content in one step: written whole to a
 * temp file, then hard-linked to the lock's name, which fails if the name
 * exists (a reader never sees a half-written lock).
 */
function tryCreate(path: string, holder: FolderHolder): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileAtomically(temp, JSON.stringify(holder));
  try {
    linkSync(temp, path);
    syncDirectory(resolve(path, '..'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Moves a dead holder's lock aside. Two processes may find the same stale
 * lock; the rename lets one move it, and the other may instead have moved the
 * first one's fresh lock: it checks what it moved and puts a live lock back.
 */
function removeStale(path: string, stale: FolderHolder): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== stale.pid || moved.since !== stale.since)) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone else holds it now; whoever asks next sees that holder.
    }
  }
  rmSync(aside, { force: true });
}

const describeHolder = (h: FolderHolder | undefined) =>
  h ? `pid ${h.pid} (${h.command}) on ${h.host} since ${h.since}` : 'a process whose lock file is unreadable';

/**
 * Takes a folder for this process, or throws naming who holds it. The lock is
 * a file (`idemflow.lock`) holding pid, host, command and start time; a lock
 * whose process is gone (killed with -9, say) is taken over, so it never
 * blocks the next run for good. Within a process the lock is shared; it is
 * removed when the last holder releases it, or when the process exits.
 */
export function holdFolder(dir: string, what: string, consequence: string): FolderHold {
  const key = resolve(dir);
  const path = join(key, lockFileName);
  let mine = held.get(key);
  for (let attempt = 0; !mine && attempt < 5; attempt++) {
    const me = thisProcess();
    if (tryCreate(path, me)) {
      mine = { count: 0, path, holder: me };
      held.set(key, mine);
      break;
    }
    const holder = readHolder(path);
    const checkable = holder !== undefined && holder.host === hostname();
    if (!checkable || holderAlive(holder)) {
      const hint = holder && !checkable ? ` (another host: if that process is gone, remove ${path})` : '';
      throw new FolderHeldError(
        `${what} ${key} is in use by ${describeHolder(holder)}${hint}: ${consequence}. Wait for it to end, or stop it`,
      );
    }
    removeStale(path, holder);
  }
  if (!mine) throw new FolderHeldError(`${what} ${key}: could not take ${path} (other processes kept taking it)`);
  mine.count++;
  const lock = mine;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (--lock.count === 0) releaseFile(key);
    },
  };
}

function releaseFile(key: string): void {
  const lock = held.get(key);
  if (!lock) return;
  held.delete(key);
  // Only our own lock: never one a later process took over after ours was judged stale.
  const current = readHolder(lock.path);
  if (current?.pid === lock.holder.pid && current.since === lock.holder.since) rmSync(lock.path, { force: true });
}

process.on('exit', () => {
  for (const key of [...held.keys()]) releaseFile(key);
});
