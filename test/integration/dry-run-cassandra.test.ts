import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { writeGeneratedPipeline } from './generated-pipeline.ts';
import { cassandraClient, contactPoint, runId, selectAll } from './servers.ts';

const id = runId();
const file = writeGeneratedPipeline(
  'dry-run-cassandra',
  id,
  { keyspace: 'idemflow_it', events: `dry_events_${id}`, counts: `dry_counts_${id}` },
  3,
);
afterAll(() => rmSync(file, { force: true }));

describe('--dry-run with --cassandra diffs against the tables in Cassandra and writes nothing', () => {
  it('before the first run every row is new (the tables do not exist yet); after a run and one damaged row, exactly that row would change', async () => {
    const common = ['run', file, '--cassandra', contactPoint, '--store', tempDir(), '-q'];
    const before = runCli([...common, '--dry-run']);
    expect(before.status).toBe(0);
    expect(before.stdout).toMatch(
      new RegExp(`idemflow_it\\.dry_events_${id}: 3000 rows — 3000 new, 0 changed, 0 unchanged`),
    );
    expect(before.stdout).toMatch(new RegExp(`idemflow_it\\.dry_counts_${id}: 25 rows — 25 new`));

    expect(runCli(common).status).toBe(0);
    const client = await cassandraClient();
    try {
      const [row] = await selectAll(client, `SELECT sensorid, ts FROM idemflow_it.dry_counts_${id} LIMIT 1`);
      await client.execute(
        `UPDATE idemflow_it.dry_counts_${id} SET measurements = 999 WHERE sensorid = ? AND ts = ?`,
        [row!.sensorid, new Date(row!.ts as number)],
        { prepare: true },
      );
      const after = runCli([...common, '--dry-run']);
      expect(after.status).toBe(0);
      expect(after.stdout).toMatch(
        new RegExp(`idemflow_it\\.dry_events_${id}: 3000 rows — 0 new, 0 changed, 3000 unchanged`),
      );
      expect(after.stdout).toMatch(
        new RegExp(`idemflow_it\\.dry_counts_${id}: 25 rows — 0 new, 1 changed, 24 unchanged`),
      );
      expect(after.stdout).toMatch(/~ \(sensor-\d+, \d+\) measurements=999 → measurements=\d+/);
      // Nothing was written: the damaged row is still damaged.
      const damaged = await selectAll(
        client,
        `SELECT measurements FROM idemflow_it.dry_counts_${id} WHERE sensorid = '${row!.sensorid}' AND ts = ${row!.ts}`,
      );
      expect(Number(damaged[0]!.measurements)).toBe(999);
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
