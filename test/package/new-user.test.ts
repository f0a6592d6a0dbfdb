/**
 * A new user's first hour, as a test: idemflow packed with `npm pack`,
 * installed into a fresh `npm init -y` project (CommonJS by default, no
 * "type" field), and used there as its README says — the CLI on the team's
 * own pipelines, `tsc` with a stock configuration, and a vitest test of the
 * programmatic API. Installs come from npm's cache when it holds the packages.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands/index.ts';
import { heavyPackages, helpInvocations, loadedPackages } from '../helpers/loaded-packages.ts';
import { repoRoot } from '../helpers/run-cli.ts';

const run = promisify(execFile);
const fixtures = join(repoRoot, 'test/fixtures/package');
const minutes = 60_000;

interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, whatever its exit code. */
async function sh(command: string, args: readonly string[], cwd: string): Promise<Result> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 64 << 20,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { status: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The version of a package this repository has installed: the team installs the same, so npm's cache has it. */
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

let project = '';
let tarball = '';
let tarballFiles: string[] = [];
const idemflow = (...args: string[]) =>
  sh(process.execPath, [join(project, 'node_modules/idemflow/bin/idemflow.js'), ...args], project);
const npx = (...args: string[]) =>
  sh(process.execPath, [join(project, 'node_modules', args[0]!), ...args.slice(1)], project);

beforeAll(async () => {
  const started = performance.now();
  // One folder for the whole file: each step works on what the steps before it left.
  const packs = mkdtempSync(join(tmpdir(), 'idemflow-pack-'));
  // `npm pack` runs the prepack script: the build to dist/.
  const packed = await sh('npm', ['pack', '--json', '--pack-destination', packs], repoRoot);
  expect(packed.status, packed.stderr).toBe(0);
  const [manifest] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(packs, manifest!.filename);
  tarballFiles = manifest!.files.map((f) => f.path);
  project = join(packs, 'team');
  mkdirSync(project);
  expect((await sh('npm', ['init', '-y'], project)).status).toBe(0);
  // npm 11 writes "type": "commonjs"; older ones write no type. Without one, the project is CommonJS all the same.
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete pkg.type;
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, undefined, 2));
  const deps = [
    tarball,
    `zod@${installed('zod')}`,
    `typescript@${installed('typescript')}`,
    `vitest@${installed('vitest')}`,
  ];
  const install = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...deps], project);
  expect(install.status, install.stderr).toBe(0);
  cpSync(fixtures, project, { recursive: true });
  process.stderr.write(`new-user: packed and installed in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}, 10 * minutes);

afterAll(() => {
  if (tarball) rmSync(join(tarball, '..'), { recursive: true, force: true });
});

// Each step starts a CLI or a compiler: seconds on a quiet machine, a minute on a busy one.
describe('a new user installs idemflow from npm pack into a CommonJS project', { timeout: 5 * minutes }, () => {
  it('the tarball holds the built JavaScript, its declarations and the demo, and no sources, tests or benchmarks', () => {
    expect(tarballFiles).toEqual(
      expect.arrayContaining([
        'dist/dsl/index.js',
        'dist/dsl/index.d.ts',
        'dist/cli/main.js',
        'bin/idemflow.js',
        'pipelines/demo/sensor-aggregates.ts',
        'bench/results/strategies.json',
        // Read beside the code when Beam's Flink job server starts.
        'dist/scripts/servers/flink-job-server-pom.xml',
        'dist/scripts/servers/bind-agent/BindHostAgent.java',
      ]),
    );
    const unwanted = tarballFiles.filter(
      (f) =>
        /^(test|bench\/(?!results\/strategies\.json))|^dist\/bench\//.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f) && !f.startsWith('pipelines/demo/')),
    );
    expect(unwanted).toEqual([]);
  });

  it('plain node imports and requires the package: no TypeScript loader needed', async () => {
    const imported = await sh(
      process.execPath,
      ['--input-type=module', '-e', "import('idemflow').then((m) => console.log(typeof m.source.generator))"],
      project,
    );
    expect(imported.stdout.trim(), imported.stderr).toBe('function');
    const required = await sh(
      process.execPath,
      ['-e', "console.log(typeof require('idemflow/compiler').check)"],
      project,
    );
    expect(required.stdout.trim(), required.stderr).toBe('function');
  });

  it('--help of the program and of every command loads commander only: no driver, no analyser, not even tsx', () => {
    // tsx registers only when a command loads a pipeline file (the steps below prove those still load).
    for (const args of helpInvocations(commands.map((c) => c.name))) {
      const r = loadedPackages(join(project, 'node_modules/idemflow/bin/idemflow.js'), args, project);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('Usage: idemflow');
      expect(
        r.packages.filter((p) => heavyPackages.includes(p)),
        args.join(' '),
      ).toEqual([]);
      expect(r.packages, args.join(' ')).toEqual(['commander', 'idemflow']);
    }
  });

  it('check loads .ts, .cts, .mts and .js pipelines in a CommonJS project and places findings in the .ts source', async () => {
    expect((await idemflow('--version')).stdout.trim()).toBe(
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version,
    );
    const checked = await idemflow(
      'check',
      'pipelines/readings.ts',
      'pipelines/counters.cts',
      'pipelines/esm.mts',
      'pipelines/plain.js',
    );
    expect(checked.status).toBe(1); // the counter pipeline's error
    for (const name of [
      'readings pipelines/readings.ts',
      'counters-cts pipelines/counters.cts',
      'esm-mts pipelines/esm.mts',
      'plain-js pipelines/plain.js',
    ])
      expect(checked.stdout).toContain(name);
    expect(checked.stdout).toContain('strategy aggregates-sor:');
    // The counter's sink call is on line 12 of the .cts source, column 9: source maps hold through the CommonJS compile.
    expect(checked.stdout).toMatch(/IDEM001[\s\S]*at pipelines\/counters\.cts:12:\d+/);
  });

  it('lint reads the same pipelines without running them', async () => {
    const linted = await idemflow('lint', 'pipelines/readings.ts', 'pipelines/counters.cts');
    expect(linted.status).toBe(1);
    expect(linted.stdout).toMatch(/pipelines\/counters\.cts:12:\d+\s+error\s+IDEM001/);
    expect(linted.stdout).not.toContain('pipelines/readings.ts:');
  });

  it('run with faults crashes, resumes from its checkpoint, dry-runs without writing, and repair makes the totals exact', async () => {
    const flags = [
      '--checkpoint',
      '.idemflow/ckpt',
      '--faults',
      'lost-ack=0.2,loss=0.02,crash-at=3',
      '--seed',
      '3',
      '-q',
    ];
    const crashed = await idemflow('run', 'pipelines/readings.ts', ...flags);
    expect(crashed.status).toBe(137);
    expect(crashed.stderr).toContain('injected crash in batch 3');
    const resumed = await idemflow('run', 'pipelines/readings.ts', ...flags);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming readings from the checkpoint after batch 2');
    const total = async () => {
      const dump = await idemflow('store', 'dump', 'readings_by_sensor', '--format', 'json');
      expect(dump.status, dump.stderr).toBe(0);
      return (JSON.parse(dump.stdout) as { readings: number }[]).reduce((sum, row) => sum + row.readings, 0);
    };
    const afterRun = await total();
    expect(afterRun).toBeGreaterThan(4000);
    expect(afterRun).toBeLessThan(5000); // 2 % lost in flight
    const dry = await idemflow('run', 'pipelines/readings.ts', '--dry-run', '-q');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('team.readings_by_sensor:');
    expect(await total()).toBe(afterRun);
    const repaired = await idemflow('repair', 'pipelines/readings.ts');
    expect(repaired.status, repaired.stderr).toBe(0);
    const [, checked, corrected] = /5000 events, (\d+) rows checked, (\d+) corrected/.exec(repaired.stdout) ?? [];
    expect(Number(corrected)).toBeGreaterThan(0);
    expect(Number(corrected)).toBeLessThanOrEqual(Number(checked));
    expect(await total()).toBe(5000);
  });

  it('Beam and the benchmarks, absent from a package, say what to do instead of a stack trace', async () => {
    const beam = await idemflow('run', 'pipelines/esm.mts', '--runner', 'beam-direct');
    expect(beam.status).toBe(2);
    expect(beam.stderr.trim()).toBe(
      "idemflow: --runner beam-direct needs Apache Beam's TypeScript SDK, which is not installed: npm install apache-beam@^2.49.0",
    );
    const bench = await idemflow('bench', 'local');
    expect(bench.status).toBe(2);
    expect(bench.stderr).toContain('run them from a clone');
  });

  it('tsc --noEmit passes with the stock tsconfig of tsc --init, and a typo in a grouping field fails it', async () => {
    const typed = join(project, 'typed');
    expect(
      (await sh(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '--init'], typed)).status,
    ).toBe(0);
    const clean = await sh(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit'], typed);
    expect(clean.stdout).toBe('');
    expect(clean.status).toBe(0);
    const source = readFileSync(join(typed, 'readings.mts'), 'utf8');
    mkdirSync(join(typed, 'typo'));
    writeFileSync(join(typed, 'typo', 'readings.mts'), source.replace("groupBy('sensorId')", "groupBy('sensorIdd')"));
    const typo = await sh(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit'], typed);
    expect(typo.status).toBe(2);
    // One error, at the typo (its explanation takes a few lines: groupBy has two overloads).
    expect(typo.stdout.split('\n').filter((line) => /^\S.*error TS/.test(line))).toEqual([
      expect.stringMatching(/^typo\/readings\.mts\(13,12\): error TS/),
    ]);
    expect(typo.stdout).toContain(
      `Argument of type '"sensorIdd"' is not assignable to parameter of type '"eventId" | "sensorId" | "ts" | "value"'`,
    );
  });

  it("the team's vitest test runs the pipeline through the programmatic API", async () => {
    const tested = await npx('vitest/vitest.mjs', 'run', 'typed/readings.test.mts');
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/Tests\s+3 passed \(3\)/);
  });

  it('the demo runs from the package', async () => {
    const demo = await idemflow('demo');
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/sensor-aggregates after repair\s+20,000\s+1699\/1699\s+exact/);
    expect(readdirSync(project)).not.toContain('dist');
  });
});
