import { Client } from 'cassandra-driver';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrial } from '../../bench/strategies/trial.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient } from './servers.ts';

const file = (row: string) => fileURLToPath(new URL(`../../pipelines/strategies/${row}.ts`, import.meta.url));

/**
 * The small version of `npm run bench -- strategies`: the same harness (real
 * Kafka and Cassandra, the CQL proxy swallowing acknowledgements, SIGKILL and
 * restart, repair), one seed, a few rows.
 */
describe('the cheat sheet, measured (small version)', () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await cassandraClient();
    await admin.execute(
      "CREATE KEYSPACE IF NOT EXISTS idemflow_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
  });
  afterAll(async () => admin.shutdown());
  const common = () => ({
    seed: 4,
    events: 1_200,
    batchSize: 200,
    linesPerSecond: 1_000,
    workDir: tempDir(),
    admin,
    keyspace: 'idemflow_it',
    log: () => {},
  });

  it('aggregates-sor-direct: killed with SIGKILL, lost acks, duplicates — exact after repair', async () => {
    const t = await runTrial({
      ...common(),
      file: file('aggregates-sor-direct'),
      faults: { lostAcks: 0.005, queueLoss: 0, duplicates: 0.01, crash: true },
    });
    expect(t.killedAtBatch).toBeGreaterThan(1);
    expect(t.recoveryMs).toBeGreaterThan(0);
    expect(t.duplicated).toBeGreaterThan(0);
    // Before repair the duplicates the queue delivered are counted; the system of record, keyed by event id, holds each once.
    expect(t.before.over).toBeGreaterThan(0);
    expect(t.after).toMatchObject({ over: 0, under: 0, errorPct: 0 });
    expect(t.storage.sensor_events).toBeGreaterThan(t.storage.sensor_counts! * 10);
  }, 180_000);

  it('aggregates-sor-wal (socket receiver with a WAL): lost acks and duplicates — exact after repair', async () => {
    const t = await runTrial({
      ...common(),
      file: file('aggregates-sor-wal'),
      faults: { lostAcks: 0.005, queueLoss: 0, duplicates: 0.01, crash: false },
    });
    expect(t.walPeakBytes).toBeGreaterThan(0);
    expect(t.swallowedAcks).toBeGreaterThan(0);
    expect(t.after).toMatchObject({ over: 0, under: 0, errorPct: 0 });
  }, 120_000);

  it('counters: acknowledgements lost after the write landed — the total ends above the truth', async () => {
    const t = await runTrial({
      ...common(),
      file: file('counters'),
      faults: { lostAcks: 0.05, queueLoss: 0, duplicates: 0, crash: false },
    });
    expect(t.swallowedAcks).toBeGreaterThan(0);
    expect(t.before.total).toBeGreaterThan(t.before.truthTotal);
    expect(t.before.under).toBe(0);
    expect(t.after).toBeUndefined();
  }, 120_000);
});
