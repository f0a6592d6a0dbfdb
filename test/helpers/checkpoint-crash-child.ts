/**
 * A process that checkpoints a workload's batches into a folder and kills
 * itself with SIGKILL at one step of one save: `<dir> <total batches> <keys>
 * <events a batch> <step> <which>` where `which` is `batch:<n>` or
 * `compaction:<n>` (the n-th whole snapshot this process writes), or `none`.
 * It resumes from the folder's checkpoint, as a restarted run would.
 */
import { FileCheckpoints } from '../../runners/local/checkpoint.ts';
import { checkpointBatches, workloadState, type Workload } from './state-workload.ts';

const [dir, total, keys, events, step, which] = process.argv.slice(2);
const workload: Workload = { keys: Number(keys), eventsPerBatch: Number(events), stepMs: 6_000 };
const [whichKind, whichN] = which!.split(':');
let compactions = 0;
let thisIsTarget = false;
const store = new FileCheckpoints(dir!, {
  compactAfterBytes: 16 * 1024,
  compactAfterDeltas: 40,
  onStep: (s) => {
    if (thisIsTarget && s === step) process.kill(process.pid, 'SIGKILL');
  },
});
const state = workloadState();
const checkpoint = store.restoreInto('workload', state);
checkpointBatches(state, store, workload, (checkpoint?.batch ?? 0) + 1, Number(total), (batch, whole) => {
  if (whole) compactions++;
  thisIsTarget =
    (whichKind === 'batch' && batch === Number(whichN)) ||
    (whichKind === 'compaction' && whole && compactions === Number(whichN));
});
