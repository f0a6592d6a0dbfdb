import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { UsageError } from './usage-error.ts';

function git(args: readonly string[]): string {
  return execFileSync('git', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Files changed since a git ref (a PR's base): committed, staged or not,
 * and new untracked files; deleted files are left out. Absolute paths.
 */
export function changedFilesSince(ref: string): Set<string> {
  let root: string;
  try {
    root = git(['rev-parse', '--show-toplevel']).trim();
  } catch {
    throw new UsageError('--since needs a git repository: the working directory is not inside one');
  }
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(
      `--since: "${ref}" is not a commit, branch or tag in this repository (for a PR, fetch the base first, e.g. git fetch origin main)`,
    );
  }
  const changed = git(['diff', '--name-only', '--diff-filter=ACMR', '-z', ref, '--']).split('\0');
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z']).split('\0');
  return new Set([...changed, ...untracked].filter(Boolean).map((f) => resolve(root, f)));
}
