import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embeddedTarget } from '../../../bench/faults/embedded-target.ts';
import { runSchedule } from '../../../bench/faults/run-schedule.ts';
import { describeSchedule, scheduleArbitrary, stateLayoutOf } from '../../../bench/faults/schedule.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/**
 * The fast half of the fault campaign (issue 14), in `npm test`: the same
 * schedules as `npm run bench -- faults` — crashes, lost acknowledgements,
 * failed writes, duplicates, losses in flight, inputs on and beside batch
 * boundaries, a repair at a random moment then the stream resumed — over the
 * recommended pipelines (file, generator, or socket + WAL input with a sender
 * that resumes where the WAL acknowledged; system of record; tumbling,
 * sliding and unwindowed; emit updates and final) on the embedded store, with
 * crashes mid-batch, between a checkpoint and the WAL truncation, and in the
 * middle of a WAL append. One schedule in three keeps its keyed state on disk
 * (`--state disk`, an LMDB store and its delta log, merged every 20 entries,
 * that are the checkpoint); the others in memory,
 * with a delta log compacted every 1, 2, 3 or 7 deltas, or never.
 * Invariants, against a truth counted by hand from the input: every event in
 * the system of record exactly once by id; after the final repair every sink
 * row equals the truth; a resumed stream never undoes a repair. A failure
 * prints fast-check's shrunk schedule; IDEMFLOW_CAMPAIGN_SCHEDULE replays one.
 */
const runs = Number(process.env.IDEMFLOW_CAMPAIGN_RUNS ?? 60);
const layoutNames = [
  'in memory, delta log (no compaction)',
  'in memory, delta log compacted every 1-7 deltas',
  'on disk (LMDB store and its delta log, merged every 20 entries)',
];

describe('fault campaign, fast half (embedded store)', () => {
  it(`${runs} random schedules end with 0 violations`, async () => {
    const layouts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scheduleArbitrary(['file', 'generator', 'socket']), async (schedule) => {
        const outcome = await runSchedule(schedule, embeddedTarget(tempDir()));
        expect(outcome.violations, describeSchedule(schedule)).toEqual([]);
        if (outcome.crashes > 0) layouts.set(stateLayoutOf(schedule), (layouts.get(stateLayoutOf(schedule)) ?? 0) + 1);
      }),
      {
        numRuns: runs,
        seed: Number(process.env.IDEMFLOW_CAMPAIGN_SEED ?? 14),
        ...(process.env.IDEMFLOW_CAMPAIGN_SCHEDULE
          ? { examples: [[JSON.parse(process.env.IDEMFLOW_CAMPAIGN_SCHEDULE)]] }
          : {}),
      },
    );
    // Crashes struck in every checkpoint layout: state on disk, and in memory with and without compactions.
    if (runs >= 30) expect([...layouts.keys()].sort()).toEqual(layoutNames);
  }, 180_000);
});
