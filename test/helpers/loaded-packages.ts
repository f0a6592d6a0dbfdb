import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEnv } from './run-cli.ts';
import { tempDir } from './temp-dir.ts';

const recorder = fileURLToPath(new URL('./record-imports.mjs', import.meta.url));

export interface Loaded {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The npm packages whose modules the process imported (the last node_modules/ folder of each URL), sorted. */
  readonly packages: readonly string[];
}

/** The package a module URL belongs to, or undefined for a file outside node_modules. */
export function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const [scope = '', name = ''] = url.slice(at + '/node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/** Runs `node <script> …args` with every import recorded, and names the packages it loaded. */
export function loadedPackages(script: string, args: readonly string[], cwd: string): Loaded {
  const record = join(tempDir(), 'imports.txt');
  const result = spawnSync(process.execPath, ['--import', recorder, script, ...args], {
    cwd,
    encoding: 'utf8',
    env: cliEnv({ IDEMFLOW_RECORD_IMPORTS: record }),
    timeout: 120_000,
  });
  const urls = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  const packages = [...new Set(urls.map(packageOf).filter((p) => p !== undefined))].sort();
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, packages };
}

/** Packages that `--help` must not load: the drivers, the analyser, the runners' and the loader's dependencies. */
export const heavyPackages = [
  'kafkajs',
  'cassandra-driver',
  'ts-morph',
  'typescript',
  'apache-beam',
  'zod',
  'cli-progress',
  'tinyglobby',
  'picocolors',
  'pure-rand',
  'long',
];

/** Every way to ask for help: the program's, each command's (both spellings), and a subcommand's. */
export function helpInvocations(commandNames: readonly string[]): string[][] {
  return [['--help'], ...commandNames.map((name) => [name, '--help']), ['help', 'run'], ['store', 'dump', '--help']];
}
