import { describe, expect, it } from 'vitest';
import { repairJob } from '../../../runners/local/repair-job.ts';
import { lastWindowStart } from '../../../runtime/windowing.ts';
import { archivedSensorCounts } from '../../helpers/pipelines.ts';

describe("repair's steps over a run of archived events: the tumbling window each counts in", () => {
  it('is the window of its own event time, whatever the order, at the bounds, before 1970 and across runs', () => {
    const pipeline = archivedSensorCounts({ seed: 1, count: 1, keys: 1, intervalMs: 1 }).ir;
    const job = repairJob(pipeline);
    const size = 60_000;
    // Runs that go back and forth between windows, sit on both sides of each bound, and pass zero.
    const times = [
      [0, 1, size - 1, size, size + 1, size - 1, 0, -1, -size, -size - 1, 5 * size, 2 * size - 1, 2 * size],
      [2 * size, 7, 3 * size - 1, -1, -size + 1, 0],
    ];
    const seen: [unknown, number | undefined][] = [];
    const expected: [unknown, number][] = [];
    for (const run of times) {
      const events = run.map((ts, i) => ({ eventId: `e${ts}/${i}`, sensorId: `s${i % 3}`, ts, value: 1 }));
      void job.visitRun(events, (key, windowStart) => seen.push([key, windowStart]));
      for (const e of events) expected.push([e.sensorId, lastWindowStart(job.window!, e.ts)]);
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen.map(([, start]) => start))).toEqual(new Set([-2 * size, -size, 0, size, 2 * size, 5 * size]));
  });
});
