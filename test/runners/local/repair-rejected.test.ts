import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, repair, runLocal } from '../../../runners/local/index.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import datedPipeline from '../../fixtures/run/archived-dates.ts';

const fixture = 'test/fixtures/run/archived-dates.ts';
const counts = (dir: string) =>
  new EmbeddedStore(dir)
    .table({ table: 'dated_counts' })
    .rows()
    .map((r) => r.columns.n);

describe('repair says which archived events its steps rejected', () => {
  it('a Date the archive gave back as text: the stream counted 10, repair rejects all 10 and names why', async () => {
    const dir = tempDir();
    await runLocal(datedPipeline.ir, { store: new EmbeddedStore(dir), log: () => {} });
    expect(counts(dir)).toEqual([10]);
    const result = await repair(datedPipeline.ir, { target: embeddedRepairTarget(new EmbeddedStore(dir)) });
    expect(result).toMatchObject({ events: 10, checked: 0, corrected: 0 });
    expect(result.rejected.count).toBe(10);
    expect(result.rejected.first).toBe(
      'event time is not a finite number: 2024-01-01T00:00:00.000Z (withEventTime must return milliseconds since the epoch or a Date)',
    );
  });

  it('none rejected: a count of 0 and no reason', async () => {
    const dir = tempDir();
    const readings = [{ id: 'e0', sensor: 's1', at: 0 }];
    const pipeline = source
      .memory(readings)
      .archive(embedded.systemOfRecord({ table: 'events', id: 'id' }))
      .withEventTime((r) => r.at)
      .groupBy('sensor')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { sensor: 'key' }, values: { n: 'value' } })).ir;
    await runLocal(pipeline, { store: new EmbeddedStore(dir), log: () => {} });
    const result = await repair(pipeline, { target: embeddedRepairTarget(new EmbeddedStore(dir)) });
    expect(result).toMatchObject({ events: 1, checked: 1, corrected: 0, rejected: { count: 0, first: undefined } });
  });

  it('the CLI prints the count and the first reason', () => {
    const store = join(tempDir(), 'store');
    expect(runCli(['run', fixture, '--store', store, '-q']).status).toBe(0);
    const repaired = runCli(['repair', fixture, '--store', store, '-q']);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain('10 events, 0 rows checked, 0 corrected');
    expect(repaired.stdout).toContain(
      '10 archived events were rejected by the steps after the archive and not counted (first: event time is not a finite number: 2024-01-01T00:00:00.000Z',
    );
  });
});
