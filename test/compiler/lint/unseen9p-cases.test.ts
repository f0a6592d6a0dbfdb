import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedAndExpected, type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/unseen9p/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * From the ninth round of unseen DSL pipelines (issue 15, U9P): families of
 * disguises the analysis did not read. Each file has look-alikes that stay clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // The wall clock and the machine's load asked without naming Date.now(): date-fns predicates relative to now
  // (isToday, isPast) and event-loop load shedding. differenceInMinutes of two event times and a load reading that
  // only decides a log line stay clean.
  'dsl/clock-relative.ts': [
    ['IDEM016', 15, 18, 'isToday('],
    ['IDEM016', 23, 19, 'isPast('],
    ['IDEM016', 31, 34, 'performance.eventLoopUtilization('],
  ],
  // `Math['random']()` is Math.random(); a Date's toString() prints local time in the machine's zone. toISOString()
  // of the same Date stays clean.
  'dsl/spelled-differently.ts': [
    ['IDEM007', 16, 104, "Math['random']("],
    ['IDEM003', 27, 34, 'new Date(r.windowStart).toString('],
  ],
  // Reflect.apply runs its first argument, and a function made by bind() passes its bound arguments to every call
  // (found at the argument, as a factory's). A pure helper through Reflect.apply and a bound constant stay clean.
  'dsl/reflected-calls.ts': [
    ['IDEM003', 11, 42, 'Date.now()'],
    ['IDEM003', 24, 19, 'Reflect.apply(sessionOf'],
  ],
  // The text of a date cut to a coarser grain than the windows: split(':')[0] of the ISO text (the hour), a slice
  // as long as a const pattern (the day), a prefix of toUTCString() (the day). At the windows' grain, clean.
  'dsl/text-grains.ts': [
    ['IDEM004', 22, 73, "split(':')"],
    ['IDEM004', 40, 73, 'slice(0, DAY_PATTERN.length)'],
    ['IDEM004', 49, 73, 'slice(0, 16)'],
  ],
  // A module variable set only by a function called at load is what those calls pass (configure('prod') clean,
  // reseed(randomUUID()) random); a setter a key calls stays state. `ts ?? Date.now()` runs its fallback only when a
  // call leaves ts out: an overload's signature is not such a call, and hourOf(e.ts) everywhere stays clean, also
  // given a value of a type the program does not know (any).
  'dsl/set-at-load.ts': [
    ['IDEM003', 18, 3, 'last = id'],
    ['IDEM003', 51, 22, 'salt'],
    ['IDEM003', 61, 36, 'minuteOf()'],
  ],
  // Custom sinks declared idempotent whose write repeats an effect: a file opened to append (flags: 'a' / flag: 'a')
  // and a MongoDB $inc. A file written whole for each window and a $set of the window's total stay clean.
  'dsl/sink-deltas.ts': [
    ['IDEM008', 28, 19, 'createWriteStream('],
    ['IDEM008', 40, 13, 'writeFile('],
    ['IDEM008', 60, 42, 'updateOne('],
  ],
  // An object of objects (injected dependencies): only the member called counts, `deps?.time?.parse?.(…)` is
  // clean beside `now`, and `deps?.time?.now?.()` is the clock.
  'dsl/nested-deps.ts': [['IDEM003', 24, 24, 'deps?.time?.now?.()']],
};

describe('round 9 of unseen DSL pipelines: what the analysis now reads', () => {
  fixtureFolderTests(root, tsconfig, dslCases);

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    const { checked, expected } = await checkedAndExpected(root, dslCases, Object.keys(dslCases));
    expect(checked).toEqual(expected);
  }, 120_000);
});
