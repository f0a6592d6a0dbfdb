import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedAndExpected, type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/unseen8p/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * From the eighth round of unseen DSL pipelines (issue 15, U8P): families of
 * disguises the analysis did not read. Each file has look-alikes that stay clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // A Date's local calendar is the machine's time zone: toDateString() of day windows, and local getters in a helper
  // (found at the helper call). The UTC getters and a minute cut by setSeconds stay clean.
  'dsl/local-zone.ts': [
    ['IDEM003', 34, 34, 'new Date(r.windowStart).toDateString()'],
    ['IDEM003', 43, 35, 'localHourKey('],
  ],
  // A "memo" storing another part of the record than its key (the first ts, the first value seen for a sensor) keeps
  // what arrived first. Memos of a function of the key (a hash, through a local key or ??=) stay clean.
  'dsl/first-wins.ts': [
    ['IDEM003', 46, 36, 'sessionStart('],
    ['IDEM003', 51, 36, 'firstReading('],
  ],
  // A function picked from a table by a random index (hot-key salting); picked by a hash of the event, clean.
  'dsl/picked-by-chance.ts': [['IDEM003', 25, 19, 'randomSalt(']],
  // `this.keyOf(e)` in a base class runs the override of the class the program makes: an abstract method's clock
  // override is found; a base default reading the clock that every made class overrides stays clean.
  'dsl/overrides.ts': [['IDEM003', 17, 23, 'this.keyOf(']],
  // A custom dead-letter sink of `.parse()` is checked like the pipeline's sink: counting rejects is not
  // idempotent; inserting each bad record under its source position is.
  // The unit a key cuts the window to, fixed by a curried helper (`bucket(5)`, applied later or in place) or by enum
  // members (`floorTo(ws, Grain.Hour)` of `Grain.Minute` windows); at the windows' own size, clean.
  'dsl/grain-shapes.ts': [
    ['IDEM004', 25, 91, 'toFive('],
    ['IDEM004', 28, 91, 'bucket(5)('],
    ['IDEM004', 34, 94, 'floorTo('],
  ],
  // The CQL of a sink declared idempotent, handed to a sink factory as a parameter or kept in a class's static
  // readonly field: a counter update is found (at the driver call, or at the method's call); whole values stay clean.
  'dsl/sink-writers.ts': [
    ['IDEM008', 18, 42, 'execute('],
    ['IDEM008', 65, 118, 'apply('],
  ],
  // Through module shapes: `lib.GENERATION` of a namespace import (an `export *` barrel) holding the clock, and a
  // method of a default-exported object reading process.pid; `lib.VERSION` and a deterministic method stay clean.
  'dsl/module-shapes.ts': [
    ['IDEM003', 19, 89, 'GENERATION'],
    ['IDEM007', 27, 89, 'makeIds.local('],
  ],
  'dsl/lib/build-info.ts': [],
  'dsl/lib/index.ts': [],
  'dsl/lib/ids.ts': [],
  // A custom sink's spec merged from a base (Object.assign or a spread): its `write` is read where the merged
  // object names it (both pipelines that append are found at the append); writing each window whole stays clean.
  'dsl/assigned-sinks.ts': [
    ['IDEM008', 12, 9, 'appendFile('],
    ['IDEM008', 12, 9, 'appendFile('],
  ],
  'dsl/dead-letters.ts': [['IDEM008', 18, 20, 'execute(']],
};

describe('round 8 of unseen DSL pipelines: what the analysis now reads', () => {
  fixtureFolderTests(root, tsconfig, dslCases);

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    const { checked, expected } = await checkedAndExpected(root, dslCases, Object.keys(dslCases));
    expect(checked).toEqual(expected);
  }, 120_000);
});
