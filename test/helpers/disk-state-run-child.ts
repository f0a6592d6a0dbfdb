/**
 * A run of the local runner that a test kills: generated events → one-minute
 * windows → count per sensor → an idempotent sink appending each row, fsynced,
 * to `<out>` (the last line of a (key, window) is its value: an upsert).
 * `<checkpoint> <out> <memory|disk> <events> <keys> <kill>`, where `kill` is
 * `none`, `before-write:<k>` (SIGKILL at the k-th write of this process,
 * before it lands: after the previous checkpoint's commit), `after-write:<k>`
 * (SIGKILL once the k-th write landed, before its checkpoint's commit) or
 * `after-commit:<batch>` (SIGKILL just after that batch's checkpoint committed,
 * before the next batch's write). It resumes from the checkpoint.
 */
import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import { sink, source, tumbling } from '../../dsl/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { parseFaults, runLocal } from '../../runners/local/index.ts';
import { killRunSettings } from './disk-state-kill.ts';

const [checkpoint, out, state, events, keys, kill] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const [killKind, killAt] = kill.split(':');
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  return process.exit(1);
};

let writes = 0;
function append(rows: readonly unknown[]): void {
  writes++;
  if (killKind === 'before-write' && writes === Number(killAt)) die();
  const fd = openSync(out, 'a');
  try {
    appendFileSync(fd, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (killKind === 'after-write' && writes === Number(killAt)) die();
}

const pipeline = source
  .generator(killRunSettings(Number(events), Number(keys)))
  .withEventTime((e) => e.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(sink({ name: 'rows', idempotent: true, write: (rows) => append(rows) }))
  .named('disk-state-kill');

await runLocal(pipeline.ir, {
  store: new EmbeddedStore(`${checkpoint}-store`),
  checkpointDir: checkpoint,
  state: state === 'disk' ? { kind: 'disk' } : { kind: 'memory' },
  batchSize: 500,
  // With state on disk, the delta log is merged into LMDB every few batches (~400 entries change a batch): kills
  // strike log appends and merges alike.
  compaction: { mergeAfterEntries: 1_000 },
  faults: parseFaults(killKind === 'after-commit' ? `crash-after-checkpoint=${killAt}` : undefined),
  crash: die,
  log: () => {},
});
