import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { FallbackOffered, FileCheckpoints } from '../../../runners/local/checkpoint.ts';
import { stateFolder, type StateChain } from '../../../runners/local/state-files.ts';
import {
  checkpointBatches,
  expectedAfter,
  sortedEntries,
  workloadState,
  type Workload,
} from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const manifestChain = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { state: StateChain }).state;
const logOf = (dir: string) =>
  join(stateFolder(dir), `deltas-${String(manifestChain(dir).generation).padStart(8, '0')}.log`);

/** Where each record of a delta log starts, and the batch its header names. */
function records(log: string): { offset: number; batch: number; bodyAt: number }[] {
  const bytes = readFileSync(log);
  const out: { offset: number; batch: number; bodyAt: number }[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const newline = bytes.indexOf(0x0a, offset);
    const header = JSON.parse(bytes.subarray(offset, newline).toString('utf8')) as { batch: number; bytes: number };
    out.push({ offset, batch: header.batch, bodyAt: newline + 1 });
    offset = newline + 1 + header.bytes + 1;
  }
  return out;
}

/** Flips one byte inside the body of the delta of `batch`. */
function flipDeltaOf(log: string, batch: number): void {
  const bytes = readFileSync(log);
  const at = records(log).find((r) => r.batch === batch)!;
  bytes[at.bodyAt + 5]! ^= 1;
  writeFileSync(log, bytes);
}

const w: Workload = { keys: 300, eventsPerBatch: 50, stepMs: 6_000 };

describe('a damaged delta in the middle of a chain', () => {
  /** A snapshot (batch 11) and the deltas of batches 12–15 after it. */
  function folder(): string {
    const dir = tempDir();
    const store = new FileCheckpoints(dir, { compactAfterBytes: 1 << 20, compactAfterDeltas: 10 });
    checkpointBatches(workloadState(), store, w, 1, 15);
    expect(manifestChain(dir)).toMatchObject({ snapshot: true, deltas: 4 });
    return dir;
  }

  it('is offered as a fallback to the last whole checkpoint before it, whose state is the one built before the damage', () => {
    const dir = folder();
    flipDeltaOf(logOf(dir), 14);
    const into = workloadState();
    let offered: FallbackOffered | undefined;
    try {
      new FileCheckpoints(dir).restoreInto('workload', into);
    } catch (error) {
      offered = error as FallbackOffered;
    }
    expect(offered).toBeInstanceOf(FallbackOffered);
    expect(offered!.message).toMatch(/fails its checksum: its delta at byte \d+ \(batch 14\)/);
    expect(offered!.fallback.head).toMatchObject({ batch: 13, position: 13 });
    expect(offered!.fallback.damagedBatch).toBe(15);
    expect(sortedEntries(into.snapshot())).toEqual(sortedEntries(expectedAfter(w, 13)));
    // load() alone (no one to judge whether a replay is safe) never falls back.
    expect(() => new FileCheckpoints(dir).load('workload')).toThrow(/fails its checksum/);
  });

  it('committed, the fallback is the checkpoint from then on; the damaged records are cut at the next save and a copy is kept', () => {
    const dir = folder();
    const log = logOf(dir);
    flipDeltaOf(log, 13);
    const damagedBytes = readFileSync(log);
    const into = workloadState();
    const store = new FileCheckpoints(dir);
    let offered: FallbackOffered | undefined;
    try {
      store.restoreInto('workload', into);
    } catch (error) {
      offered = error as FallbackOffered;
    }
    expect(offered!.fallback.head.batch).toBe(12);
    offered!.fallback.commit();
    expect(readFileSync(offered!.fallback.copy)).toEqual(damagedBytes);
    expect(new FileCheckpoints(dir).head('workload')?.batch).toBe(12);
    // Batches 13–17 again, on the state of batch 12.
    checkpointBatches(into, store, w, 13, 17);
    expect(sortedEntries(new FileCheckpoints(dir).load('workload')!.state)).toEqual(
      sortedEntries(expectedAfter(w, 17)),
    );
    expect(records(logOf(dir)).map((r) => r.batch)).toEqual([12, 13, 14, 15, 16, 17]);
  });

  it('the snapshot itself damaged: nothing whole to go back to, so the restore stops (never an empty state)', () => {
    const dir = folder();
    const snapshot = join(
      stateFolder(dir),
      readdirSync(stateFolder(dir)).find((f) => f.startsWith('snapshot-'))!,
    );
    const bytes = readFileSync(snapshot);
    bytes[bytes.length - 10]! ^= 1;
    writeFileSync(snapshot, bytes);
    let thrown: unknown;
    try {
      new FileCheckpoints(dir).restoreInto('workload', workloadState());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).not.toBeInstanceOf(FallbackOffered);
    expect((thrown as Error).message).toMatch(/snapshot-\d+\.json fails its checksum.*Put back a good copy/);
  });
});

describe('the runner past a damaged delta', () => {
  const counts = (sink: 'upsert' | 'counter', count: number) => {
    const target =
      sink === 'upsert'
        ? embedded.upsert({ table: 'n', key: { s: 'key' }, values: { n: 'value' } })
        : embedded.counter({ table: 'n', key: { s: 'key' }, counter: 'n' });
    return source.generator({ seed: 5, count, keys: 2_000 }).groupBy('sensorId').count().sink(target).named('gen');
  };
  const total = (store: EmbeddedStore) =>
    store
      .table({ table: 'n' })
      .rows()
      .reduce((a, r) => a + Number(r.columns.n), 0);

  /** 10 batches of 500 checkpointed (all deltas, no snapshot yet); then the delta of batch 5 damaged, by a flip or a tear. */
  async function damagedRun(sink: 'upsert' | 'counter', damage: 'flip' | 'tear') {
    const dir = tempDir();
    const store = new EmbeddedStore(join(dir, 'store'));
    const checkpointDir = join(dir, 'ckpt');
    const lines: string[] = [];
    const run = (count: number) =>
      runLocal(counts(sink, count).ir, { store, checkpointDir, batchSize: 500, log: (l) => lines.push(l) });
    await run(5_000);
    expect(manifestChain(checkpointDir)).toMatchObject({ snapshot: false, deltas: 10 });
    const log = logOf(checkpointDir);
    if (damage === 'flip') flipDeltaOf(log, 5);
    else writeFileSync(log, readFileSync(log).subarray(0, records(log)[4]!.bodyAt + 40));
    return { store, checkpointDir, log, lines, run };
  }

  it.each(['flip', 'tear'] as const)(
    'an upsert sink and a generator (%s): it goes back to batch 4, says so, reads batches 5–10 again, and every total is exact',
    async (damage) => {
      const { store, checkpointDir, lines, run } = await damagedRun('upsert', damage);
      const result = await run(6_000);
      expect(result.resumed?.afterBatch).toBe(4);
      expect(result.recordsIn).toBe(4_000);
      expect(total(store)).toBe(6_000);
      const said = lines.find((l) => l.includes('went back'))!;
      expect(said).toMatch(
        damage === 'flip'
          ? /deltas-00000001\.log fails its checksum: its delta at byte \d+ \(batch 5\).*went back to the checkpoint after batch 4.*reads batches 5–10 of the input again/
          : /deltas-00000001\.log is torn: it has \d+ of the \d+ bytes its checkpoint committed: went back to the checkpoint after batch 4/,
      );
      expect(existsSync(join(checkpointDir, 'damaged'))).toBe(true);
      // The checkpoint is whole again: a rerun finds nothing to read and restores without a word.
      expect((await run(6_000)).recordsIn).toBe(0);
      expect(new FileCheckpoints(checkpointDir).load('gen')!.state.entries.reduce((a, e) => a + Number(e[2]), 0)).toBe(
        6_000,
      );
    },
  );

  it('a counter sink: going back would count batches 5–10 twice, so it stops, naming the file, the sink and what to do; nothing is written', async () => {
    const { store, log, run } = await damagedRun('counter', 'flip');
    expect(total(store)).toBe(5_000);
    await expect(run(6_000)).rejects.toThrow(
      new RegExp(
        `${log} fails its checksum.*Put back a good copy of that file.*It did not go back to the checkpoint after batch 4, the last one whose state is whole, on its own: sink n \\(counter\\) is not idempotent`,
      ),
    );
    expect(total(store)).toBe(5_000);
    expect(new FileCheckpoints(join(log, '..', '..')).head('gen')?.batch).toBe(10);
  });
});
