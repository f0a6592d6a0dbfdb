import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import type { PipelineNode } from '../../../compiler/ir/index.ts';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { dryRunLookup } from '../../../cli/dry-run-lookup.ts';
import { diffPlan, embeddedRepairTarget, repair, runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const counts = embedded.upsert({ table: 'counts', key: { sensor: 'key' }, values: { n: 'value' } });
/** Read from a fresh store: repair appends to a table's log behind any store already open. */
const tableRows = (dir: string, table: string) => new EmbeddedStore(dir).table({ table }).rows();
const quiet = { log: () => {} };

/** A reading whose id is a getter of its class: what the archive step sees, and not a copy of its own fields. */
class Reading {
  constructor(
    readonly raw: string,
    readonly sensor: string,
  ) {}
  get eventId(): string {
    return `id-${this.raw}`;
  }
  key(): string {
    return `key-${this.raw}`;
  }
}

async function runAndRepair(pipeline: PipelineNode) {
  const dir = tempDir();
  const result = await runLocal(pipeline, { store: new EmbeddedStore(dir), ...quiet });
  const repaired = await repair(pipeline, { target: embeddedRepairTarget(new EmbeddedStore(dir)) });
  return { dir, result, repaired };
}

describe('the archive stores each event under the id its archive step took', () => {
  const byGetter = (e: unknown) => (e as Reading).eventId;
  const byMethod = (e: unknown) => (e as Reading).key();
  for (const [what, id, prefix] of [
    ['a getter', byGetter, 'id'],
    ['a method', byMethod, 'key'],
  ] as const)
    it(`an id function reading ${what} of a class: every event archived under its own id; repair agrees`, async () => {
      const events = ['a', 'b', 'c'].map((raw) => new Reading(raw, 's'));
      const archive = embedded.systemOfRecord({ table: 'events', id });
      const pipeline = source.memory(events).archive(archive).groupBy('sensor').count().sink(counts).ir;
      const { dir, result, repaired } = await runAndRepair(pipeline);
      expect(result.deadLetters).toBe(0);
      expect(tableRows(dir, 'events').map((r) => r.key[0])).toEqual(['a', 'b', 'c'].map((r) => `${prefix}-${r}`));
      expect(repaired.corrected).toBe(0);
      expect(tableRows(dir, 'counts').map((r) => r.columns.n)).toEqual([3]);
    });
});

describe('an event id JSON would not store as it is is a dead letter naming it, neither counted nor archived', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a BigInt', 7n, /event id function is a BigInt \(JSON\.stringify throws\)/],
    ['NaN', Number.NaN, /event id function is NaN \(JSON writes null\)/],
    ['a Map', new Map([['k', 1]]), /event id function is a Map/],
    ['an object holding a Set', { order: 1, lines: new Set([1]) }, /event id function is a Set .* at `lines`/],
    ['a symbol', Symbol('id'), /event id function is a symbol/],
  ];
  for (const [what, bad, reason] of cases)
    it(`${what}: the run goes on, counts and archive agree`, async () => {
      const events = Array.from({ length: 4 }, (_, i) => ({ i, sensor: 's' }));
      const id = (e: unknown) => ((e as { i: number }).i === 2 ? bad : `e${(e as { i: number }).i}`);
      const archive = embedded.systemOfRecord({ table: 'events', id });
      const pipeline = source.memory(events).archive(archive).groupBy('sensor').count().sink(counts).ir;
      const { dir, result, repaired } = await runAndRepair(pipeline);
      expect(result.deadLetters).toBe(1);
      const letters = tableRows(dir, 'dead_letters');
      expect(String(letters[0]!.columns.reason)).toMatch(reason);
      expect(String(letters[0]!.columns.reason)).toMatch(/two ids would be stored as one/);
      expect(tableRows(dir, 'events').map((r) => r.key[0])).toEqual(['e0', 'e1', 'e3']);
      expect(tableRows(dir, 'counts').map((r) => r.columns.n)).toEqual([3]);
      expect(repaired.corrected).toBe(0);
    });
});

describe('the dry-run on the embedded store looks an archived id of any type up as the writer stored it', () => {
  const start = Date.UTC(2024, 0, 1);
  const typed: readonly unknown[] = [new Date(start), 42, true, { order: 7 }, ['x', 1], 'plain'];
  const pipelineOf = (ids: readonly unknown[]) =>
    source
      .memory(ids.map((eventId) => ({ eventId, sensor: 's' })))
      .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
      .groupBy('sensor')
      .count()
      .sink(counts).ir;
  const plan = async (dir: string, ids: readonly unknown[]) => {
    const pipeline = pipelineOf(ids);
    const store = new EmbeddedStore(dir);
    const result = await runLocal(pipeline, { store, ...quiet, dryRun: true });
    const changes = diffPlan(result.plan ?? [], await dryRunLookup(pipeline, result.plan ?? [], store, []));
    return changes.filter((c) => c.sink === 'embedded.events').map((c) => c.change);
  };

  it('archived ids show unchanged, others new, also from a store opened again', async () => {
    const dir = tempDir();
    await runLocal(pipelineOf(typed), { store: new EmbeddedStore(dir), ...quiet });
    expect(await plan(dir, typed)).toEqual(typed.map(() => 'same'));
    const others = [new Date(start + 1), 43, false, { order: 8 }, ['x', 2], 'other'];
    expect(await plan(dir, others)).toEqual(others.map(() => 'insert'));
  });
});
