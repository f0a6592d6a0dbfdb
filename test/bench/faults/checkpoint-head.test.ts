import { describe, expect, it } from 'vitest';
import { checkpointHead } from '../../../bench/faults/cassandra-target.ts';
import { DiskCheckpoints } from '../../../runners/local/disk-checkpoints.ts';
import { loadLmdb } from '../../../runners/local/state-store.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/**
 * The campaign asks a Kafka target how far a stopped run's checkpoint got, to go on when records are unread.
 * With `--state disk` the checkpoint lives in a store; reading it as the file layout refused it ("keeps its
 * keyed state on disk … this run keeps it in memory"), which failed 4 Kafka + disk + SIGKILL schedules of a
 * 60-schedule campaign (seed 1904).
 */
describe("the campaign's view of a checkpoint's position", () => {
  it('reads the position of a --state disk checkpoint from its store', async () => {
    const dir = tempDir();
    const files = DiskCheckpoints.open(await loadLmdb(), dir, 'campaign-kafka');
    files.save({ pipeline: 'campaign-kafka', batch: 3, position: { 0: 42, 1: 17 } });
    await files.close();
    const head = await checkpointHead(dir, 'campaign-kafka');
    expect(head?.batch).toBe(3);
    expect(head?.position).toEqual({ 0: 42, 1: 17 });
  });

  it('finds no head in a folder without a checkpoint', async () => {
    expect(await checkpointHead(tempDir(), 'campaign-kafka')).toBeUndefined();
  });
});
