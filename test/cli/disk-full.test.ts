import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { demoEvents } from '../../pipelines/demo/sensor-events.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const aggregates = 'pipelines/demo/sensor-aggregates.ts';

describe('disk full while writing a checkpoint', () => {
  it('the run stops with one line naming ENOSPC and the checkpoint that stays valid; freed, the next run resumes and loses nothing', () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    const checkpoint = join(dir, 'ckpt');
    const common = ['run', aggregates, '--store', store, '--checkpoint', checkpoint, '-q'];
    expect(runCli([...common, '--faults', 'crash-at=4']).status).toBe(137);
    // The disk fills: every write of the next checkpoint fails with the kernel's ENOSPC.
    const temp = join(checkpoint, 'checkpoint.json.tmp');
    symlinkSync('/dev/full', temp);
    const full = runCli([...common, '--faults', 'crash-at=4']);
    expect(full.status).not.toBe(0);
    expect(full.stderr).toMatch(
      /cannot write the checkpoint of batch 4 in .*ckpt \(ENOSPC\); the checkpoint of batch 3 stays valid: free space and run again to resume/,
    );
    expect(full.stderr).not.toMatch(/^\s+at /m);
    rmSync(temp);
    const resumed = runCli([...common, '--faults', 'crash-at=4']);
    expect(resumed.status).toBe(0);
    const counts = new EmbeddedStore(store).table({ table: 'sensor_counts' }).rows();
    expect(counts.reduce((a, r) => a + Number(r.columns.measurements), 0)).toBe(demoEvents.count);
    // Three CLI runs: on a busy 2-core machine (CI's Node 22 and 24 passes start each through npx) they outlast the default 30 s.
  }, 180_000);
});
