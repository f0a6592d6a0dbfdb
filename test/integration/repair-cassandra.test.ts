import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults } from '../helpers/truth.ts';
import { brokers, cassandraClient, contactPoint, runId, selectAll } from './servers.ts';

const settings = { seed: 31, count: 3_000, keys: 8, intervalMs: 300, ...generatorDefaults };
const pipelineFile = 'test/fixtures/integration/kafka-sensor-counts.ts';

describe('repair on the real servers', () => {
  it('a deliberately corrupted aggregate row is fixed by idemflow repair, from the system of record in Cassandra', async () => {
    const id = runId();
    const env = { IT_RUN_ID: id, IT_BROKERS: brokers.join(',') };
    await produceLines(
      brokers,
      `it-readings-${id}`,
      Array.from({ length: settings.count }, (_, i) => JSON.stringify(generatedEvent(settings, i).event)),
    );
    const run = runCli(
      ['run', pipelineFile, '--cassandra', contactPoint, '--checkpoint', tempDir(), '--until-idle', '3000', '-q'],
      { env },
    );
    expect(run.status, run.stderr).toBe(0);

    const client = await cassandraClient();
    const table = `idemflow_it.sensor_counts_${id}`;
    try {
      const before = await selectAll(client, `SELECT sensorid, ts, measurements FROM ${table}`);
      const victim = before[0]!;
      await client.execute(
        `UPDATE ${table} SET measurements = ? WHERE sensorid = ? AND ts = ?`,
        [424_242, victim.sensorid, new Date(victim.ts as number)],
        { prepare: true },
      );
      await client.execute(
        `DELETE FROM ${table} WHERE sensorid = ? AND ts = ?`,
        [before[1]!.sensorid, new Date(before[1]!.ts as number)],
        { prepare: true },
      );

      const dry = runCli(['repair', pipelineFile, '--cassandra', contactPoint, '--dry-run', '-q'], { env });
      expect(dry.status, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`${settings.count} events, ${before.length} rows checked, 2 would correct`);

      const fixed = runCli(['repair', pipelineFile, '--cassandra', contactPoint, '-q'], { env });
      expect(fixed.status, fixed.stderr).toBe(0);
      expect(fixed.stdout).toContain(
        `from idemflow_it.sensor_events_${id}: ${settings.count} events, ${before.length} rows checked, 2 corrected`,
      );

      const after = await selectAll(client, `SELECT sensorid, ts, measurements FROM ${table}`);
      const byKey = (rows: Record<string, unknown>[]) =>
        new Map(rows.map((r) => [`${r.sensorid}@${r.ts}`, r.measurements]));
      expect(byKey(after)).toEqual(byKey(before));
      expect(runCli(['repair', pipelineFile, '--cassandra', contactPoint, '-q'], { env }).stdout).toContain(
        '0 corrected',
      );

      // A block of the archive that no longer decodes: its events would be missing from every total they belong
      // to, so a repair refuses before writing anything (it used to write the totals short); a dry run names it.
      await client.execute(
        `INSERT INTO idemflow_it.sensor_events_${id} (bucket, block, n, bytes, events) VALUES (?, ?, ?, ?, ?)`,
        // Deflated as the table's layout stores blocks, but not JSON.
        ['2024-01-01T00:00/b3', 'garbage', 1, 5, deflateRawSync('[["e"')],
        { prepare: true },
      );
      const damagedDry = runCli(['repair', pipelineFile, '--cassandra', contactPoint, '--dry-run', '-q'], { env });
      expect(damagedDry.status, damagedDry.stderr).toBe(0);
      expect(damagedDry.stderr).toContain("block (bucket '2024-01-01T00:00/b3', block 'garbage') does not decode");
      expect(damagedDry.stdout).toContain(`${settings.count} events, ${before.length} rows checked, 0 would correct`);
      expect(damagedDry.stdout).toContain('1 block of the system of record failed to decode and was skipped');
      await client.execute(
        `UPDATE ${table} SET measurements = ? WHERE sensorid = ? AND ts = ?`,
        [7, victim.sensorid, new Date(victim.ts as number)],
        { prepare: true },
      );
      const damaged = runCli(['repair', pipelineFile, '--cassandra', contactPoint, '-q'], { env });
      expect(damaged.status).not.toBe(0);
      expect(damaged.stderr).toContain(
        "repair refuses to write: block (bucket '2024-01-01T00:00/b3', block 'garbage') does not decode",
      );
      expect(damaged.stderr).toContain('Nothing was written');
      const untouched = await selectAll(client, `SELECT sensorid, ts, measurements FROM ${table}`);
      expect(byKey(untouched).get(`${victim.sensorid}@${victim.ts}`)).toBe(7);
      // Deleted, the block no longer stands in the way.
      await client.execute(
        `DELETE FROM idemflow_it.sensor_events_${id} WHERE bucket = ? AND block = ?`,
        ['2024-01-01T00:00/b3', 'garbage'],
        { prepare: true },
      );
      const mended = runCli(['repair', pipelineFile, '--cassandra', contactPoint, '-q'], { env });
      expect(mended.status, mended.stderr).toBe(0);
      expect(mended.stdout).toContain(`${settings.count} events, ${before.length} rows checked, 1 corrected`);
    } finally {
      await client.shutdown();
    }
  }, 180_000);
});
