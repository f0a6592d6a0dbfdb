import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCheatSheet } from '../../../bench/strategies/report.ts';
import { accuracyOf, truthOf } from '../../../bench/strategies/truth.ts';
import { strategies, type StrategyId } from '../../../compiler/strategy/cheat-sheet.ts';
import { summarize, type StrategyResults, type TrialResult } from '../../../compiler/strategy/measurements.ts';
import { cassandra, source, tumbling } from 'idemflow';
import { tempDir } from '../../helpers/temp-dir.ts';

const accuracy = (total: number, over: number, under: number) => ({
  total,
  truthTotal: 1_000,
  over,
  under,
  errorPct: ((total - 1_000) / 1_000) * 100,
  exactRows: over + under === 0 ? 20 : 10,
  rows: 20,
});

function trial(
  seed: number,
  before: [number, number, number],
  after?: [number, number, number],
  recoveryMs?: number,
): TrialResult {
  return {
    seed,
    truthEvents: 1_000,
    before: accuracy(...before),
    ...(after ? { after: accuracy(...after) } : {}),
    eventsPerSecond: 0,
    recoveryMs,
    storage: { sensor_counts: 400, ...(after ? { sensor_events: 90_000 + seed } : {}) },
    walPeakBytes: 0,
    swallowedAcks: 1,
    queueLost: 0,
    duplicated: 3,
  };
}

describe("the strategies benchmark's arithmetic", () => {
  it('truth counts per (key, window) only when the sink keys rows by window; accuracy splits over and under row by row', () => {
    const events = [
      { sensorId: 'a', ts: 1_000 },
      { sensorId: 'a', ts: 61_000 },
      { sensorId: 'b', ts: 2_000 },
    ];
    const base = source
      .memory(events)
      .withEventTime((e) => e.ts)
      .window(tumbling({ minutes: 1 }))
      .groupBy('sensorId')
      .count();
    const windowed = base.sink(
      cassandra.upsert({ keyspace: 'k', table: 't', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } }),
    ).ir;
    const merged = base.sink(cassandra.counter({ keyspace: 'k', table: 't', key: { s: 'key' }, counter: 'n' })).ir;
    expect(truthOf(windowed, events)).toEqual(
      new Map([
        ['["a",0]', 1],
        ['["a",60000]', 1],
        ['["b",0]', 1],
      ]),
    );
    expect(truthOf(merged, events)).toEqual(
      new Map([
        ['["a",0]', 2],
        ['["b",0]', 1],
      ]),
    );
    const a = accuracyOf(
      new Map([
        ['x', 5],
        ['y', 5],
      ]),
      new Map([
        ['x', 7],
        ['z', 1],
      ]),
    );
    expect(a).toMatchObject({ total: 8, truthTotal: 10, over: 3, under: 5, exactRows: 0, rows: 2 });
    expect(a.errorPct).toBeCloseTo(-20);
  });

  it('summarizes seeds: spreads, exact seeds, median recovery, mean storage', () => {
    const row = summarize({
      speed: { ...trial(0, [1_000, 0, 0]), eventsPerSecond: 12_345 },
      trials: [
        trial(1, [1_010, 10, 0], [1_000, 0, 0], 900),
        trial(2, [990, 0, 10], [995, 0, 5], 1_100),
        trial(3, [1_000, 0, 0], [1_000, 0, 0], 5_000),
      ],
    });
    expect(row.eventsPerSecond).toBe(12_345);
    expect(row.errorBefore).toEqual({ mean: 0, min: -1, max: 1 });
    expect(row.errorAfter!.min).toBeCloseTo(-0.5);
    expect(row.exactSeeds).toBe(2);
    expect(row.eventsLost).toBeCloseTo(5 / 3);
    expect(row.recoveryMs).toBe(1_100);
    expect(row.storageBytes.sensor_events).toBe(90_002);
  });

  it("writes the cheat sheet and its chart: a row per strategy, the guide's claim beside the measurement, agree or refute", () => {
    const ids = Object.keys(strategies) as StrategyId[];
    const results: StrategyResults = {
      generatedAt: '2026-11-25T00:00:00.000Z',
      events: 1_000,
      speedEvents: 5_000,
      seeds: 2,
      faults: { lostAcks: 0.002, queueLoss: 0.01, duplicates: 0.005, crash: true },
      strategies: Object.fromEntries(
        ids.map((id, i) => {
          const sor = id.includes('sor');
          const counters = id.startsWith('counters');
          return [
            id,
            {
              speed: { ...trial(0, [1_000, 0, 0]), eventsPerSecond: 10_000 + i * 1_000 },
              trials: [1, 2].map((seed) =>
                trial(
                  seed,
                  counters ? [1_050, 50, 0] : [990, 0, 10],
                  sor ? (id.endsWith('direct') ? [1_000, 0, 0] : [992, 0, 8]) : undefined,
                  800,
                ),
              ),
            },
          ];
        }),
      ),
    };
    const dir = tempDir();
    writeCheatSheet(results, dir);
    const md = readFileSync(join(dir, 'cheat-sheet.md'), 'utf8');
    for (const id of ids) expect(md).toContain(`| \`${id}\` |`);
    expect(md).toContain('### `aggregates-sor-direct`');
    expect(md).toMatch(
      /`aggregates-sor-direct`[\s\S]*?\*\*Accuracy\*\* \(guide: highly accurate\) — ✔ agrees: exact after repair in 2\/2 seeds/,
    );
    expect(md).toMatch(
      /`aggregates-sor-wal`[\s\S]*?\*\*Accuracy\*\* \(guide: permanently accurate\) — ✘ refutes: after repair -0\.80%/,
    );
    expect(md).toMatch(/`counters`[\s\S]*?\*\*Accuracy\*\* \(guide: inaccurate\) — ✔ agrees: overcounts \+5\.00%/);
    const svg = readFileSync(join(dir, 'cheat-sheet.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(
      'The cheat sheet of Real Time Analytics with Spark Streaming and Cassandra, measured (2 fault schedules a row)',
    );
    expect(md).not.toMatch(/seed's/i);
    // Every row in the full panel, the ones near zero again in the zoomed one, and three in the legend.
    expect(svg.match(/<circle cx=/g)!.length).toBeGreaterThanOrEqual(ids.length + 3);
    for (const id of ids) expect(svg).toContain(`>${id}</text>`);
  });
});
