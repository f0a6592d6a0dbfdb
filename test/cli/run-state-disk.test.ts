import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { demoEvents } from '../../pipelines/demo/sensor-events.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const aggregates = 'pipelines/demo/sensor-aggregates.ts';
const events = demoEvents.count;

describe('idemflow run --state disk', () => {
  it('a crash exits 137; the next run resumes from the store; the counts are exact; the folder names its store', () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    const checkpoint = join(dir, 'ckpt');
    const args = ['run', aggregates, '--store', store, '--checkpoint', checkpoint, '--state', 'disk'];
    const crashed = runCli([...args, '--faults', 'crash-at=4,lost-ack=0.2', '--seed', '5', '-q']);
    expect(crashed.status, crashed.stderr).toBe(137);
    expect(crashed.stderr).toContain('injected crash in batch 4');
    expect(existsSync(join(checkpoint, 'state-lmdb', 'state.mdb'))).toBe(true);
    expect(JSON.parse(readFileSync(join(checkpoint, 'checkpoint.json'), 'utf8'))).toMatchObject({
      layout: 'idemflow-checkpoint/disk-1',
      pipeline: 'sensor-aggregates',
      store: 'state-lmdb',
    });
    const resumed = runCli([...args, '--faults', 'crash-at=4,lost-ack=0.2', '--seed', '5']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming sensor-aggregates from the checkpoint after batch 3/);
    const counts = new EmbeddedStore(store).table({ table: 'sensor_counts' }).rows();
    expect(counts.reduce((a, r) => a + Number(r.columns.measurements), 0)).toBe(events);
    // The same folder without --state disk is refused, naming both layouts: never resumed from an empty state.
    const inMemory = runCli(['run', aggregates, '--store', store, '--checkpoint', checkpoint, '-q']);
    expect(inMemory.status).toBe(2);
    expect(inMemory.stderr).toContain(
      `keeps its keyed state on disk (layout "idemflow-checkpoint/disk-1", in the store state-lmdb); this run keeps it in memory (layout "idemflow-checkpoint/2"). Run again with --state disk to resume it`,
    );
    // Three runs of 20,000 events: past vitest's 30 s on a loaded 2-core machine.
  }, 180_000);

  it('--state disk without --checkpoint, and a --state that is neither, are refused in one line', () => {
    const store = join(tempDir(), 's');
    const noFolder = runCli(['run', aggregates, '--store', store, '--state', 'disk', '-q']);
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr.trim()).toBe(
      'idemflow: --state disk needs --checkpoint <dir>: the store on disk is the checkpoint, and holds the state only with one',
    );
    const bad = runCli(['run', aggregates, '--store', store, '--state', 'tape']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('idemflow: --state: give memory, disk or disk:<dir> (not "tape")');
  }, 60_000);
});
