import { describe, expect, it } from 'vitest';
import { cassandra, source } from 'idemflow';
import { deadLetterSink } from '../../compiler/ir/index.ts';
import { compileRecordPath } from '../../runtime/record-path.ts';

/** What the group-by step hands on for `events` grouped by `field`: the keys aggregated and the dead letters' reasons. */
function groupStep(field: string, events: readonly unknown[]) {
  const pipeline = source
    .memory<{ sensor: string }>([])
    .groupBy(field as 'sensor')
    .count()
    .sink(cassandra.upsert({ keyspace: 'ks', table: 'n', key: { s: 'key' }, values: { n: 'value' } })).ir;
  const keys: unknown[] = [];
  const rejected: string[] = [];
  const path = compileRecordPath(
    pipeline,
    {
      deadLetter: (_sink, reason) => rejected.push(reason),
      archive: () => {},
      emit: () => {},
      aggregate: (key) => keys.push(key),
    },
    deadLetterSink('embedded', 'dead_letters'),
    new Map(),
  );
  events.forEach((e, i) => void path(e, i));
  return { keys, rejected };
}

describe('a group key field is the event’s own', () => {
  it('a field named like a member every object inherits is missing unless the event holds it (REV19C)', () => {
    // Before: events without their own `constructor` were counted under the Object function, one group for all.
    for (const field of ['constructor', '__proto__', 'toString']) {
      const owned = JSON.parse(`{${JSON.stringify(field)}:"g1"}`) as unknown;
      const { keys, rejected } = groupStep(field, [{ sensor: 'a' }, owned, { sensor: 'b' }]);
      expect(keys).toEqual(['g1']);
      expect(rejected).toEqual([`group key \`${field}\` is missing`, `group key \`${field}\` is missing`]);
    }
  });

  it('an ordinary field is read as before, inherited or not', () => {
    const inheritedSensor = Object.create({ sensor: 'from-prototype' }) as unknown;
    const { keys, rejected } = groupStep('sensor', [{ sensor: 'a' }, inheritedSensor, { other: 1 }]);
    expect(keys).toEqual(['a', 'from-prototype']);
    expect(rejected).toEqual(['group key `sensor` is missing']);
  });
});
