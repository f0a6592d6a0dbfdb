import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderHeldError, holdFolder } from '../../connectors/exclusive-folder.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const lockIn = (dir: string) => holdFolder(dir, 'the test folder', 'it would break');
const writeLock = (dir: string, holder: object) =>
  writeFileSync(
    join(dir, 'idemflow.lock'),
    JSON.stringify({ host: hostname(), command: 'idemflow run x.ts', since: '2026-01-01T00:00:00.000Z', ...holder }),
  );
/** A pid that existed and is gone: a child that ran and was reaped. */
const deadPid = () => spawnSync('true').pid;

describe('folder locks', () => {
  it('a lock left by a process that is gone (kill -9) is taken over', () => {
    const dir = tempDir();
    writeLock(dir, { pid: deadPid() });
    const lock = lockIn(dir);
    expect(JSON.parse(readFileSync(join(dir, 'idemflow.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    lock.release();
    expect(existsSync(join(dir, 'idemflow.lock'))).toBe(false);
  });

  it('a live holder is named; a pid reused by another process (another start time) is not a holder', () => {
    const dir = tempDir();
    // pid 1 runs, but it is not the process that wrote this lock: it started at another time.
    writeLock(dir, { pid: 1, pidStart: -1 });
    lockIn(dir).release();
    writeLock(dir, { pid: 1 });
    expect(() => lockIn(dir)).toThrow(FolderHeldError);
    expect(() => lockIn(dir)).toThrow(
      `the test folder ${dir} is in use by pid 1 (idemflow run x.ts) on ${hostname()} since 2026-01-01T00:00:00.000Z: it would break. Wait for it to end, or stop it`,
    );
  });

  it('a holder on another host cannot be checked from here: refused, saying which file to remove if it is gone', () => {
    const dir = tempDir();
    writeLock(dir, { pid: deadPid(), host: 'elsewhere' });
    expect(() => lockIn(dir)).toThrow(
      /on elsewhere since .* \(another host: if that process is gone, remove .*idemflow\.lock\)/,
    );
  });

  it('is shared within a process and removed when its last holder releases it', () => {
    const dir = tempDir();
    const a = lockIn(dir);
    const b = lockIn(dir);
    a.release();
    a.release();
    expect(existsSync(join(dir, 'idemflow.lock'))).toBe(true);
    b.release();
    expect(existsSync(join(dir, 'idemflow.lock'))).toBe(false);
  });
});
