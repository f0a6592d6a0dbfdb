import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedAndExpected, type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/unseen10p/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * From the tenth round of unseen DSL pipelines (issue 15, U10P): families of
 * disguises the analysis did not read. Each file has look-alikes that stay clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // Virtual dispatch: a getter or method read on a value typed with a base class runs the override of the subclass
  // the value was made of; an interface method on a value typed by the checker (a registry's entry) may run any
  // implementation, unless the entry is a `new` the analysis can see. An instance made in place and a registry whose
  // implementations all read the event stay clean.
  'dsl/dispatch.ts': [
    ['IDEM003', 69, 40, 't.bucket'],
    ['IDEM003', 76, 40, 't.slot()'],
    ['IDEM003', 88, 19, 'chosen.keyOf('],
  ],
  // The clock and the machine's zone spelled without the usual words: Reflect.construct(Date, []), and options for
  // toLocaleString held in a const without a timeZone. The event's time through Reflect.construct, and a const that
  // names the zone, stay clean.
  'dsl/clock-spellings.ts': [
    ['IDEM003', 13, 37, 'Reflect.construct(Date, [])'],
    ['IDEM003', 32, 39, 'new Date(r.windowStart).toLocaleString('],
  ],
  // A JSON module's values are constants: the window size and the width of an ISO cut read from it. A day of
  // 1-minute windows is reported; the hour of hourly windows stays clean.
  'dsl/json-config.ts': [['IDEM004', 20, 77, 'slice(0, grain.dayChars)']],
  // A statement picked from a const table by a const key: the counter update under `Q[MODE]`, in a sink declared
  // idempotent. The INSERT under the other key stays clean.
  'dsl/statement-table.ts': [['IDEM008', 23, 42, 'execute(Q[MODE]']],
  // The default of a field of a destructured options parameter runs when a call leaves the options out: a clock there
  // is the key's. A helper every call of which passes its own clock stays clean.
  'dsl/options-default.ts': [['IDEM003', 29, 19, 'bucketOf(e.sensorId)']],
  // Pipelines assembled by code (U10L): a key function handed through a curried step factory, stages a generator
  // yields folded with `reduce`, a window from `process.env.X ?? default`, a window from an abstract getter a subclass
  // overrides, pipelines mapped from configurations by a builder with a destructured parameter. The look-alikes
  // beside each (a field key, a hash sample, an hour default, hourly windows, a field key) stay clean.
  'dsl/step-factories.ts': [],
  'dsl/curried-factory.ts': [['IDEM003', 7, 68, 'Date.now()']],
  'dsl/generator-stages.ts': [['IDEM016', 11, 31, 'Math.random()']],
  'dsl/env-window.ts': [['IDEM004', 21, 82, 'slice(0, 13)']],
  'dsl/abstract-window.ts': [['IDEM004', 21, 84, 'slice(0, 13)']],
  'dsl/config-loop.ts': [['IDEM003', 15, 63, 'Date.now()']],
  // A de-duplication filter over a map (or a cache package's LRU) kept for the process, marking ids seen with a
  // constant: a replay drops its own records. A memo of a function of the key through the same early return stays clean.
  'dsl/keyed-dedup.ts': [['IDEM016', 10, 7, 'recent.has(']],
};

describe('round 10 of unseen DSL pipelines: what the analysis now reads', () => {
  fixtureFolderTests(root, tsconfig, dslCases);

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    const { checked, expected } = await checkedAndExpected(root, dslCases, Object.keys(dslCases));
    expect(checked).toEqual(expected);
  }, 120_000);
});
