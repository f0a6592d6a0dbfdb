import { describe, expect, it } from 'vitest';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults } from '../helpers/truth.ts';
import { checkpointBatch, spawnCli } from './cli-child.ts';
import { brokers, cassandraClient, contactPoint, runId, selectAll } from './servers.ts';
import { archived } from './archived.ts';

const minute = 60_000;
const settings = { seed: 91, count: 12_000, keys: 25, intervalMs: 50, ...generatorDefaults };

const runPipeline = (id: string, checkpoint: string) =>
  spawnCli(
    [
      'run',
      'test/fixtures/integration/kafka-sensor-counts.ts',
      '--checkpoint',
      checkpoint,
      '--cassandra',
      contactPoint,
      '--until-idle',
      '4000',
      '--batch-size',
      '250',
      '-q',
    ],
    id,
  );

describe('crash recovery on the real servers', () => {
  it('the runner killed with SIGKILL mid-stream and restarted: totals equal the truth', async () => {
    const id = runId();
    const events = Array.from({ length: settings.count }, (_, i) => generatedEvent(settings, i).event);
    await produceLines(
      brokers,
      `it-readings-${id}`,
      events.map((e) => JSON.stringify(e)),
    );
    const checkpoint = tempDir();

    const first = runPipeline(id, checkpoint);
    const deadline = Date.now() + 120_000;
    while (checkpointBatch(checkpoint) < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const batchAtKill = checkpointBatch(checkpoint);
    expect(batchAtKill).toBeGreaterThanOrEqual(8);
    expect(batchAtKill).toBeLessThan(settings.count / 250);

    const second = await runPipeline(id, checkpoint).exited;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`resuming it-sensor-counts from the checkpoint after batch`);

    const truth = new Map<string, number>();
    for (const e of events) {
      const key = `${e.sensorId}@${Math.floor(e.ts / minute) * minute}`;
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }
    const client = await cassandraClient();
    try {
      const rows = await selectAll(client, `SELECT sensorid, ts, measurements FROM idemflow_it.sensor_counts_${id}`);
      expect(new Map(rows.map((r) => [`${r.sensorid}@${r.ts}`, Number(r.measurements)]))).toEqual(truth);
      expect(await archived(client, 'idemflow_it', `sensor_events_${id}`)).toHaveLength(settings.count);
    } finally {
      await client.shutdown();
    }
  }, 240_000);
});
