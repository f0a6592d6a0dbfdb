import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sinks, source } from 'idemflow';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { loadRunner } from '../../runners/registry.ts';
import { flinkJobServer } from '../../scripts/servers/flink-job-server.ts';
import { paths } from '../../scripts/servers/service.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const beamDirectRunner = await loadRunner('beam-direct');
const beamFlinkRunner = await loadRunner('beam-flink');

// A Standard Schema whose validation is asynchronous: Beam 2.49's DoFns cannot wait for it, so the job fails.
const asyncSchema = {
  '~standard': { version: 1, vendor: 'test', validate: async (value: unknown) => ({ value }) },
} as const;
const failing = () =>
  source
    .memory([{ sensorId: 'a' }])
    .parse(asyncSchema)
    .groupBy((r) => (r as { sensorId: string }).sensorId)
    .count()
    .sink(sinks.memory());

/** A cache whose job-server lib is marked fetched but holds a broken jar, and ByteBuddy only if asked. */
function brokenCache(options: { byteBuddy: boolean }): string {
  const cache = tempDir();
  const lib = join(cache, 'flink-job-server', 'lib');
  mkdirSync(lib, { recursive: true });
  writeFileSync(join(lib, 'broken.jar'), 'not a jar');
  if (options.byteBuddy) {
    const shared = paths(flinkJobServer).lib;
    const jar = readdirSync(shared).find((f) => f.startsWith('byte-buddy-'))!;
    copyFileSync(join(shared, jar), join(lib, jar));
  }
  writeFileSync(join(lib, '.complete'), 'test');
  return cache;
}

describe('Beam runners: failures give one clear error', () => {
  it('a job that fails on beam-direct names the step', async () => {
    await expect(
      beamDirectRunner.run(failing().ir, { store: new EmbeddedStore(tempDir()), log: () => {} }),
    ).rejects.toThrow(/a step of this pipeline is asynchronous/);
  }, 60_000);

  it('a Flink job that fails names its state, the cause from the job server and both logs; the process survives it', async () => {
    const error = await beamFlinkRunner
      .run(failing().ir, { store: new EmbeddedStore(tempDir()), log: () => {} })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /failed on beam-flink: Job finished in state FAILED \(.*a step of this pipeline is asynchronous.*\); see \S+idemflow-beam\S+\.log and \S+flink-job-server\S+\.log/,
    );
    // The worker's control stream was cancelled by the runner: without its error listener, that killed the process.
    await new Promise((r) => setTimeout(r, 1_000));
  }, 120_000);

  it('a job server that fails to start says so, with its log', () => {
    // A cache whose job-server jars are broken (but for ByteBuddy, which the bind agent is built against):
    // Java starts, finds no driver class and exits.
    const cache = brokenCache({ byteBuddy: true });
    const run = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--runner', 'beam-flink', '--store', tempDir()], {
      env: { IDEMFLOW_CACHE: cache, IDEMFLOW_FLINK_JOB_PORT: '1' },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /Beam's Flink job server exited while starting; see \S+flink-job-server\/run-\S+\/job-server\.log/,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('refuses to start a job server it cannot keep on loopback (no ByteBuddy to build the bind agent), saying why', () => {
    const run = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--runner', 'beam-flink', '--store', tempDir()], {
      env: { IDEMFLOW_CACHE: brokenCache({ byteBuddy: false }), IDEMFLOW_FLINK_JOB_PORT: '1' },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /refusing to start Beam's Flink job server: Beam's Flink job server listens on every interface unless idemflow's bind agent confines it; the agent is built against Beam's ByteBuddy jar, and \S+ has none/,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('refuses to start a job server without a JDK to build the bind agent with, saying what to install', () => {
    // Java on the PATH, but neither javac nor jar: a JRE.
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    symlinkSync(
      realpathSync(execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim()),
      join(bin, 'java'),
    );
    const run = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--runner', 'beam-flink', '--store', tempDir()], {
      env: { IDEMFLOW_CACHE: brokenCache({ byteBuddy: true }), IDEMFLOW_FLINK_JOB_PORT: '1', PATH: bin },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      "refusing to start Beam's Flink job server: Beam's Flink job server listens on every interface unless idemflow's bind agent confines it; the agent is compiled on first start and needs `javac` (a JDK 17): install one",
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('beam-flink without Java says so, with what to do instead', () => {
    // Another job port: the running shared job server is not found, so this run would start its own.
    const run = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--runner', 'beam-flink', '--store', tempDir()], {
      env: { PATH: '/nonexistent', IDEMFLOW_FLINK_JOB_PORT: '1' },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('beam-flink needs Java 17 on the PATH');
    expect(run.stderr).toContain('use --runner beam-direct');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
