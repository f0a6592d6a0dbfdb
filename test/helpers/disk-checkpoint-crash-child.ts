/**
 * A process that checkpoints a workload's batches into a folder whose keyed
 * state is in an LMDB store (`--state disk`), resuming from its last commit:
 * `<dir> <total batches> <keys> <events a batch>`. Before each save it prints
 * `saving <batch>`, after it `saved <batch> <ms>` (written at once, not
 * buffered), so that a test can kill it while a commit's transaction is
 * being written.
 */
import { writeSync } from 'node:fs';
import { DiskCheckpoints } from '../../runners/local/disk-checkpoints.ts';
import { loadLmdb } from '../../runners/local/state-store.ts';
import { checkpointBatches, workloadState, type Workload } from './state-workload.ts';

const [dir, total, keys, events] = process.argv.slice(2);
const workload: Workload = { keys: Number(keys), eventsPerBatch: Number(events), stepMs: 6_000 };
const files = DiskCheckpoints.open(await loadLmdb(), dir!, 'workload');
const state = workloadState(false, files.store);
const head = files.restoreInto('workload', state);
// Each save timed (`saved <batch> <ms>`): a test kills the next one halfway through.
const timed: Pick<DiskCheckpoints, 'save' | 'wantsWholeState'> = {
  wantsWholeState: () => files.wantsWholeState(),
  save: (checkpoint) => {
    const started = performance.now();
    files.save(checkpoint);
    writeSync(1, `saved ${checkpoint.batch} ${Math.round(performance.now() - started)}\n`);
  },
};
checkpointBatches(state, timed, workload, (head?.batch ?? 0) + 1, Number(total), (batch) => {
  writeSync(1, `saving ${batch}\n`);
});
await files.close();
