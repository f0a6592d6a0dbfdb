/**
 * `idemflow --help` and `idemflow <command> --help` load commander and
 * nothing heavy: each command's work (the compiler, the analyser, the drivers,
 * the runners) loads only when the command runs. Proven by recording every
 * module the process imports, not by timing it (the time is in
 * `npm run bench -- cli-startup`). The same holds for the installed package:
 * test/package/new-user.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands/index.ts';
import { heavyPackages, helpInvocations, loadedPackages } from '../helpers/loaded-packages.ts';
import { repoRoot } from '../helpers/run-cli.ts';

const bin = join(repoRoot, 'bin/idemflow.js');
// In a clone the CLI's own sources are TypeScript, so tsx (and what it brings) is needed from the start.
const allowedInClone = ['commander', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps', 'tsx'];

describe('what idemflow loads to print help, from the sources', { timeout: 120_000 }, () => {
  it.each(helpInvocations(commands.map((c) => c.name)).map((args) => [args.join(' '), args]))(
    'idemflow %s',
    (_, args) => {
      const r = loadedPackages(bin, args, repoRoot);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('Usage: idemflow');
      expect(r.packages.filter((p) => heavyPackages.includes(p))).toEqual([]);
      expect(r.packages.filter((p) => !allowedInClone.includes(p))).toEqual([]);
    },
  );

  it('records what a command loads once it runs (the recorder sees packages loaded later, and CommonJS ones)', () => {
    const r = loadedPackages(bin, ['check', 'test/fixtures/two-pipelines.ts', '--format', 'json'], repoRoot);
    expect(r.status, r.stderr).toBe(0);
    expect(r.packages).toEqual(expect.arrayContaining(['typescript', 'tinyglobby', 'commander']));
  });
});
