import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, repair, runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

interface Reading {
  eventId: string;
  sensor: string;
  n: number;
}

const archive = embedded.systemOfRecord({ table: 'events', id: 'eventId' });
const sums = embedded.upsert({ table: 'sums', key: { id: 'key' }, values: { n: 'value' } });
/** Read from a fresh store: repair appends to a table's log behind any store already open. */
const tableRows = (dir: string, table: string) => new EmbeddedStore(dir).table({ table }).rows();
const payloads = (dir: string) =>
  new Map(tableRows(dir, 'events').map((r) => [(r.columns.payload as Reading).eventId, r.columns.payload as Reading]));

describe('the archive holds each event as it was at the archive step', () => {
  it('a later step that changes the event in place changes the sums, never the archive, and repair keeps the right sums', async () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ eventId: `e${i}`, sensor: 's', n: 1, tags: ['a'] }));
    const pipeline = source
      .memory(events)
      .archive(archive)
      .map((e) => {
        e.n *= 2;
        e.tags.push('changed');
        e.eventId = 'renamed';
        return e;
      })
      .groupBy('sensor')
      .sum('n')
      .sink(sums).ir;
    const dir = tempDir();
    await runLocal(pipeline, { store: new EmbeddedStore(dir), log: () => {} });
    expect(tableRows(dir, 'sums').map((r) => r.columns.n)).toEqual([20]);
    const archived = payloads(dir);
    expect([...archived.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
    for (const event of archived.values()) expect(event).toMatchObject({ n: 1, tags: ['a'] });
    const result = await repair(pipeline, { target: embeddedRepairTarget(new EmbeddedStore(dir)) });
    expect(result.corrected).toBe(0);
    expect(tableRows(dir, 'sums').map((r) => r.columns.n)).toEqual([20]);
  });
});

describe('a record whose value JSON does not keep is a dead letter, neither counted nor archived', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a BigInt', { big: 7n }, /field `big` is a BigInt/],
    ['a Map', { nested: { m: new Map([['k', 1]]) } }, /field `nested\.m` is a Map/],
    ['a Set in a list', { list: [1, new Set([1])] }, /field `list\[1\]` is a Set/],
    ['NaN', { ratio: Number.NaN }, /field `ratio` is NaN/],
  ];
  for (const [what, extra, reason] of cases)
    it(`${what}: the run goes on, the dead letter names the field, counts and archive agree`, async () => {
      const events: Reading[] = Array.from({ length: 6 }, (_, i) => ({ eventId: `e${i}`, sensor: 's', n: 1 }));
      events[2] = { ...events[2]!, ...(extra as object) };
      const pipeline = source.memory(events).archive(archive).groupBy('sensor').sum('n').sink(sums).ir;
      const dir = tempDir();
      const result = await runLocal(pipeline, { store: new EmbeddedStore(dir), log: () => {} });
      expect(result.deadLetters).toBe(1);
      const letters = tableRows(dir, 'dead_letters');
      expect(letters).toHaveLength(1);
      expect(String(letters[0]!.columns.reason)).toMatch(reason);
      expect(String(letters[0]!.columns.raw)).toContain('e2');
      expect([...payloads(dir).keys()].sort()).toEqual(['e0', 'e1', 'e3', 'e4', 'e5']);
      expect(tableRows(dir, 'sums').map((r) => r.columns.n)).toEqual([5]);
      const repaired = await repair(pipeline, { target: embeddedRepairTarget(new EmbeddedStore(dir)) });
      expect(repaired.corrected).toBe(0);
    });
});
