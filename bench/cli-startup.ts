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
 * Each start reports its CPU time too (bench/cpu-at-exit.mjs), which a
 * loaded machine barely moves, where it stretches wall time many times over.
 * The last line is `package_help_wall_ms=<ms> package_help_cpu_ms=<ms>`
 * (medians) for the package's `--help`. Target: under 300 ms.
 */
import { median } from './measure.ts';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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

const cpuProbe = fileURLToPath(new URL('./cpu-at-exit.mjs', import.meta.url));

/** One start: wall-clock ms as seen from here, and the CPU ms the process reported at its exit. */
function timeOnce(args: readonly string[]): { wall: number; cpu: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', cpuProbe, ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const wall = performance.now() - started;
  const cpu = /cpu_ms=([\d.]+)\s*$/.exec(child.stderr);
  if (child.status !== 0 || !cpu)
    throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr.slice(0, 300)}`);
  return { wall, cpu: Number(cpu[1]) };
}

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
    const wall = new Map(cases.map((c) => [c.label, [] as number[]]));
    const cpu = new Map(cases.map((c) => [c.label, [] as number[]]));
    for (const c of cases) timeOnce(c.args); // warm the file cache and tsx's compile cache
    // Round-robin: each round times every case once, so load on the machine falls on all of them.
    for (let round = 0; round < runs; round++)
      for (const c of cases) {
        const t = timeOnce(c.args);
        wall.get(c.label)!.push(t.wall);
        cpu.get(c.label)!.push(t.cpu);
      }
    const baseline = (m: Map<string, number[]>) => median(m.get(cases[0]!.label)!);
    log(
      `${runs} runs each, interleaved; medians in ms (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
    );
    log(
      `${'command'.padEnd(30)} ${'wall'.padStart(6)} ${'over node'.padStart(9)} ${'cpu'.padStart(6)} ${'over node'.padStart(9)}`,
    );
    for (const c of cases) {
      const w = median(wall.get(c.label)!);
      const u = median(cpu.get(c.label)!);
      log(
        `${c.label.padEnd(30)} ${w.toFixed(0).padStart(6)} ${(w - baseline(wall)).toFixed(0).padStart(9)} ${u.toFixed(0).padStart(6)} ${(u - baseline(cpu)).toFixed(0).padStart(9)}`,
      );
    }
    const help = cases[1]!.label;
    return `package_help_wall_ms=${median(wall.get(help)!).toFixed(0)} package_help_cpu_ms=${median(cpu.get(help)!).toFixed(0)}`;
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
}
