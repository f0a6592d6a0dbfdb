import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embedded, source, tumbling } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { SensorReading } from '../../../pipelines/schemas.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const minute = 60_000;
const base = Date.UTC(2024, 0, 1);

/** A well-formed reading, as a producer sends it. */
const valid = fc
  .record({
    eventId: fc.uuid(),
    sensorId: fc.constantFrom('s1', 's2', 's3', 's4'),
    ts: fc.integer({ min: base, max: base + 10 * minute }),
    value: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  })
  .map((r) => ({ kind: 'valid' as const, raw: JSON.stringify(r) }));

/** Everything else a real topic carries. */
const invalid = fc
  .oneof(
    fc.string({ maxLength: 30 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
    fc.constant('{"eventId":"x","sensorId":"s1","ts":"soon","value":1}'),
    fc.constant('{"eventId":"x","sensorId":"s1","value":1}'),
    fc.constant('{"eventId":"x","sensorId":"s1","ts":1,"value":1e999}'),
    fc.constant('{"eventId":"x","sensorId":"s1","ts":-5,"value":1}'),
    fc.constant('{"eventId":"","sensorId":"s1","ts":1,"value":1}'),
    fc.constant('null'),
    fc.constant('[1,2,3]'),
    fc.constant('\ud800\udfff\ud800 not utf-8'),
    fc.string({ minLength: 70_000, maxLength: 70_001 }),
  )
  .map((raw) => ({ kind: 'invalid' as const, raw }));

describe('hostile input (issue 9): 10,000 mixed records', () => {
  it('every valid record is counted once (or routed late), every invalid one is a dead letter, nothing is lost, the runner lives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: invalid }), {
          minLength: 10_000,
          maxLength: 10_000,
        }),
        async (records) => {
          const store = new EmbeddedStore(tempDir());
          const pipeline = source
            .memory(records.map((r) => r.raw))
            .parse(SensorReading)
            .withEventTime((r) => r.ts)
            .window(tumbling(minute, { allowedLateness: 5 * minute }))
            .groupBy('sensorId')
            .count()
            .sink(embedded.upsert({ table: 'counts', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } }));
          const result = await runLocal(pipeline.ir, { store, batchSize: 1_000, log: () => {} });
          const expectedValid = records.filter((r) => r.kind === 'valid').length;
          const counted = store
            .table({ table: 'counts' })
            .rows()
            .reduce((a, r) => a + Number(r.columns.n), 0);
          expect(result.deadLetters).toBe(records.length - expectedValid);
          expect(counted + result.late).toBe(expectedValid);
          expect(counted + result.late + result.deadLetters).toBe(records.length);
          // Dead letters are stored under their source position with a reason; huge payloads are bounded.
          const letters = store.table({ table: 'dead_letters' }).rows();
          expect(letters.length).toBe(result.deadLetters + result.late);
          for (const l of letters) {
            expect(String(l.columns.reason).length).toBeGreaterThan(0);
            expect(String(l.columns.raw).length).toBeLessThanOrEqual(65_536 + 40);
          }
        },
      ),
      { numRuns: 3 },
    );
  }, 120_000);
});
