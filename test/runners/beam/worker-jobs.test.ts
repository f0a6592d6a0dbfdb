/**
 * An `idemflow worker` rebuilds a run from the pipeline module the job names
 * (runners/beam/worker-jobs.ts): the file's hash first, then its export, then
 * its own sink configuration. Each refusal says what and where.
 */
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importUserModule } from '../../../cli/import-module.ts';
import { beamRuns } from '../../../runners/beam/run-context.ts';
import { WorkerJobs } from '../../../runners/beam/worker-jobs.ts';
import type { JobRef } from '../../../runners/beam/job-ref.ts';
import { repoRoot } from '../../helpers/run-cli.ts';

const file = join(repoRoot, `test/fixtures/worker-jobs-${process.pid}.tmp.ts`);
const text = `import { embedded, source } from 'idemflow';
export const raw = source.generator({ seed: 1, count: 10, keys: 2, intervalMs: 100 })
  .sink(embedded.upsert({ keyspace: 'k', table: 'raw', key: { id: 'eventId' }, values: { v: 'value' } }))
  .named('worker-jobs');
`;
writeFileSync(file, text);
afterAll(() => rmSync(file, { force: true }));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const lines: string[] = [];
const jobs = () => new WorkerJobs({ importModule: importUserModule, log: (l) => lines.push(l) });
const ref = (over: Partial<JobRef> = {}): JobRef => ({
  runId: `test-${Math.random().toString(36).slice(2)}`,
  pipeline: 'worker-jobs',
  module: file,
  exportName: 'raw',
  sha256: sha(text),
  cassandra: false,
  ...over,
});

describe('WorkerJobs: a run rebuilt from the pipeline module', () => {
  it('the same file and export: the run is registered under its id, once for concurrent requests', async () => {
    const workers = jobs();
    const job = ref();
    await Promise.all([workers.prepare(job), workers.prepare(job)]);
    expect(beamRuns.get(job.runId).pipeline.name).toBe('worker-jobs');
    expect(lines.filter((l) => l.includes(`rebuilt run ${job.runId}`))).toHaveLength(1);
    workers.started(job);
    await workers.stopped(job.runId);
    expect(beamRuns.has(job.runId)).toBe(false);
  });

  it('another version of the file is refused, naming both hashes', async () => {
    const other = sha(text.replace('count: 10', 'count: 11'));
    await expect(jobs().prepare(ref({ sha256: other }))).rejects.toThrow(
      `pipeline file ${file} differs from the submitter's: sha256 ${sha(text)} here, ${other} submitted; deploy the same file to every worker`,
    );
  });

  it('a file that is not there, and an export the file lacks, are refused by name', async () => {
    await expect(jobs().prepare(ref({ module: `${file}.missing` }))).rejects.toThrow(
      `pipeline file ${file}.missing cannot be read here`,
    );
    await expect(jobs().prepare(ref({ exportName: 'default' }))).rejects.toThrow(
      `pipeline file ${file} has no pipeline export \`default\` (its pipeline exports: raw)`,
    );
  });

  it('a job that writes to Cassandra, on a worker without Cassandra configured, is refused', async () => {
    const saved = process.env.IDEMFLOW_CASSANDRA;
    delete process.env.IDEMFLOW_CASSANDRA;
    try {
      await expect(jobs().prepare(ref({ cassandra: true }))).rejects.toThrow(
        'the job writes to Cassandra but this worker has none configured: set IDEMFLOW_CASSANDRA',
      );
    } finally {
      if (saved !== undefined) process.env.IDEMFLOW_CASSANDRA = saved;
    }
  });

  it('a refused run is forgotten: the corrected file is read again', async () => {
    const workers = jobs();
    const job = ref({ exportName: 'nope' });
    await expect(workers.prepare(job)).rejects.toThrow('no pipeline export');
    await expect(workers.prepare({ ...job, exportName: 'raw' })).resolves.toBeUndefined();
  });

  it('a run reports what it counted here, also after Flink stopped its last SDK worker', async () => {
    const workers = jobs();
    const job = ref();
    await workers.prepare(job);
    workers.started(job);
    const context = beamRuns.get(job.runId);
    context.applySteps([
      { i: 0, v: { eventId: 'a', value: 1 } },
      { i: 1, v: { eventId: 'b', value: 2 } },
    ]);
    expect(workers.totals(job.runId)).toMatchObject({ records: 2, deadLetters: 0 });
    await workers.stopped(job.runId);
    expect(beamRuns.has(job.runId)).toBe(false);
    // The submitter asks once the job has ended, which may be after the stop.
    expect(workers.totals(job.runId)).toMatchObject({ records: 2, deadLetters: 0, abandoned: 0 });
    expect(workers.totals('never-here')).toEqual({
      records: 0,
      deadLetters: 0,
      late: 0,
      abandoned: 0,
      rowsWritten: {},
    });
  });

  it('a run this worker only prepared (the check) and never ran ends when the submitter asks for its totals', async () => {
    const workers = jobs();
    const job = ref();
    await workers.prepare(job);
    expect(workers.totals(job.runId).records).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(beamRuns.has(job.runId)).toBe(false);
  });
});
