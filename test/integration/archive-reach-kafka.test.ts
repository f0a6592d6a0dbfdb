import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { embeddedRepairTarget, parseFaults, repair, runLocal, SimulatedCrash } from '../../runners/local/index.ts';
import { FileCheckpoints } from '../../runners/local/checkpoint.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { SensorReading } from '../../pipelines/schemas.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults, tableCounts } from '../helpers/truth.ts';
import { brokers, runId } from './servers.ts';

const settings = { seed: 31, count: 600, keys: 4, intervalMs: 1_000, ...generatorDefaults };
const events = Array.from({ length: settings.count }, (_, i) => generatedEvent(settings, i).event);
/** Events per sensor, by hand, keyed as the sink table's rows. */
const truth = new Map<string, number>();
for (const e of events) truth.set(JSON.stringify([e.sensorId]), (truth.get(JSON.stringify([e.sensorId])) ?? 0) + 1);

/**
 * The archive-reach check (runners/local/archive-reach.ts) on the real Kafka,
 * deterministically: a batch archives its events and the process dies before
 * its checkpoint; the restart reads from the older checkpoint in smaller
 * batches and stops cleanly short of where the dead batch reached. The system
 * of record now holds events past the checkpoint, which the stream will read
 * again. A repair that rewrote the stream's state from the system of record
 * would count them there, and the resumed stream would count them a second
 * time (found by the fault campaign at random: 2 of 380 schedules).
 */
describe('a repair while the system of record reaches past the checkpoint (real Kafka)', () => {
  it('is refused; the stream resumed past that reach, then repaired, ends exact', async () => {
    const id = runId();
    const topic = `it-reach-${id}`;
    await produceLines(
      brokers,
      topic,
      events.map((e) => JSON.stringify(e)),
    );
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-reach-${id}` })
      .parse(SensorReading)
      .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
      .groupBy('sensorId')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } })).ir;
    const storeDir = tempDir();
    const checkpointDir = tempDir();
    const run = (batchSize: number, extra: object = {}) =>
      runLocal(pipeline, {
        store: new EmbeddedStore(storeDir),
        checkpointDir,
        batchSize,
        batchIntervalMs: 2_000,
        untilIdleMs: 3_000,
        log: () => {},
        crash: (batch) => {
          throw new SimulatedCrash(batch);
        },
        ...extra,
      });
    const archived = () => new EmbeddedStore(storeDir).table({ table: 'events' }).rows().length;

    // Batch 2 (records 100..200) archives, then dies before its aggregates and its checkpoint (seed 3: crash point 1 of 2).
    await expect(run(100, { faults: parseFaults('crash-at=2'), seed: 3 })).rejects.toBeInstanceOf(SimulatedCrash);
    expect(archived()).toBe(200);
    // The restart reads from batch 1's checkpoint in batches of 30 and stops cleanly after one.
    const short = await run(30, { maxRecords: 30 });
    expect(short.stopped).toBe('max-records');
    expect(new FileCheckpoints(checkpointDir).load(pipeline.name)?.archiveReach).toBeDefined();

    const target = () => embeddedRepairTarget(new EmbeddedStore(storeDir));
    const refusal = await repair(pipeline, { target: target(), checkpointDir }).then(
      () => 'repaired',
      (error: Error) => error.message,
    );
    // The stream resumed from its checkpoint: every event counted once. Had the repair counted the archived events
    // past the checkpoint in the state, the 70 read again would count twice here.
    await run(100);
    const rows = () => tableCounts(new EmbeddedStore(storeDir), 'counts', 'n');
    expect(rows()).toEqual(truth);
    expect(refusal).toMatch(/holds events past its checkpoint .*Resume the stream until it has read past/);
    // Past the reach and stopped cleanly, the repair goes ahead; the rows stay exact.
    await repair(pipeline, { target: target(), checkpointDir });
    expect(rows()).toEqual(truth);
    expect(archived()).toBe(settings.count);
  }, 180_000);
});
