/**
 * `npm run bench -- cli-startup`: how long `idemflow --help` and
 * `idemflow run --help` take to print, against `node -e 0` (Node's own start)
 * measured in the same run, interleaved, so a busy machine slows every
 * command alike. Two layouts: the package (the built JavaScript in dist/,
 * run through bin/idemflow.js as an installed package runs it; built first,
 * so it is never a stale build) and this clone (TypeScript sources through tsx).
 *
 * What keeps help fast is lazy loading: each command's work loads when it
 * runs (cli/actions/), and the package registers tsx only for a pipeline
 * file. test/cli/startup.test.ts proves which modules load; this only times it.
 * The last line is `package_help_ms_over_node=<ms>`: the median of what the
 * package's `--help` adds to Node's start. Target: `--help` under 300 ms.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

interface Case {
  readonly label: string;
  readonly args: readonly string[];
}

/** A folder laid out as an installed package: bin/ and package.json, with dist/ and node_modules/ linked from the clone. */
function packageLayout(): string {
  execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'idemflow-bench-startup-'));
  cpSync(join(repo, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(repo, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(repo, 'dist'), join(dir, 'dist'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function timeOnce(args: readonly string[]): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  const ms = performance.now() - started;
  if (child.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr.slice(0, 300)}`);
  return ms;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const runs = 15;

export async function benchCliStartup(): Promise<string> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const pkg = packageLayout();
  try {
    const cases: Case[] = [
      { label: 'node -e 0 (baseline)', args: ['-e', '0'] },
      { label: 'package: idemflow --help', args: [join(pkg, 'bin/idemflow.js'), '--help'] },
      { label: 'package: idemflow run --help', args: [join(pkg, 'bin/idemflow.js'), 'run', '--help'] },
      { label: 'clone: idemflow --help', args: [join(repo, 'bin/idemflow.js'), '--help'] },
      { label: 'clone: idemflow run --help', args: [join(repo, 'bin/idemflow.js'), 'run', '--help'] },
    ];
    const samples = new Map(cases.map((c) => [c.label, [] as number[]]));
    for (const c of cases) timeOnce(c.args); // warm the file cache and tsx's compile cache
    // Round-robin: each round times every case once, so load on the machine falls on all of them.
    for (let round = 0; round < runs; round++) for (const c of cases) samples.get(c.label)!.push(timeOnce(c.args));
    const baseline = median(samples.get(cases[0]!.label)!);
    log(`${runs} runs each, interleaved; wall-clock ms`);
    log(`${'command'.padEnd(32)} ${'median'.padStart(7)} ${'min'.padStart(7)} ${'over node'.padStart(10)}`);
    for (const c of cases) {
      const xs = samples.get(c.label)!;
      log(
        `${c.label.padEnd(32)} ${median(xs).toFixed(0).padStart(7)} ${Math.min(...xs)
          .toFixed(0)
          .padStart(7)} ${(median(xs) - baseline).toFixed(0).padStart(10)}`,
      );
    }
    return `package_help_ms_over_node=${(median(samples.get(cases[1]!.label)!) - baseline).toFixed(0)}`;
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
}
