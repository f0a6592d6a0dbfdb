import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedAndExpected, type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/unseen11p/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * From the eleventh round of unseen DSL pipelines (issue 15, U11P): families of
 * disguises the analysis did not read. Each file has look-alikes that stay clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // lodash's clock, chance and process counter, judged by the package's names. uninstalled/ imports packages this
  // repository does not install (lodash, ramda): `check` cannot load those files, so the lint alone reads them, as it
  // reads any package it does not have (the unseen cases of round 11 ran both tools with the packages installed).
  'uninstalled/lodash.ts': [
    ['IDEM003', 13, 47, '_.now()'],
    ['IDEM003', 19, 36, '_.sample('],
    ['IDEM003', 24, 29, 'shuffle(ARMS)'],
    ['IDEM016', 31, 17, '_.random(0, 99)'],
    ['IDEM007', 38, 31, "_.uniqueId('r-')"],
  ],
  // Functions a library's combinator made: R.always(x) returns the x computed when it was made; _.once(f) and
  // _.memoize(f, resolver) run f. A constant given to R.always and a memoized function of the key stay clean.
  'uninstalled/combinators.ts': [
    ['IDEM003', 23, 36, 'deployedAt()'],
    ['IDEM003', 35, 25, 'today()'],
    ['IDEM003', 42, 36, 'sessionTag(e.sensorId)'],
  ],
  // A getter of a frozen object literal runs when its property is read, and only it: the clock in one getter is
  // not the value of its neighbour, which reads the configuration.
  'dsl/frozen-getters.ts': [['IDEM003', 28, 25, 'settings.partition']],
  // A day cut from 1-minute windows by a slice width held in a `satisfies`-typed const (also frozen), or by a regex
  // replacement that leaves the ISO text's date. The minute, and a replacement that only reformats, stay clean.
  'dsl/coarse-cuts.ts': [
    ['IDEM004', 28, 53, 'slice(0, DAY_LAYOUT'],
    ['IDEM004', 46, 53, "replace(/T.*$/, '')"],
  ],
  // A custom sink declared idempotent whose statement is written with String.raw: its text, parts spliced in (the
  // column of `${COLUMN} = ${COLUMN} + ?` read from its const). A whole value written the same way stays clean.
  'dsl/string-raw-sink.ts': [
    ['IDEM008', 32, 42, 'execute(ADD,'],
    ['IDEM008', 42, 42, 'execute(ADD_TO_COLUMN,'],
  ],
  // A date and a time of day joined into a text without a zone (Date.parse, new Date, also in a helper): read in
  // the machine's time zone. Texts ending in Z or an offset, a date alone and a template ending in the offset stay clean.
  'dsl/local-time-text.ts': [
    ['IDEM003', 23, 48, 'Date.parse(`${s.day} ${s.time}`)'],
    ['IDEM003', 24, 44, 'tillTime(s.day, s.time)'],
    ['IDEM003', 25, 45, 'new Date(`${s.day}T00:00`)'],
  ],
};

describe('round 11 of unseen DSL pipelines: what the analysis now reads', () => {
  fixtureFolderTests(root, tsconfig, dslCases);

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    const loadable = Object.fromEntries(Object.entries(dslCases).filter(([f]) => !f.startsWith('uninstalled/')));
    const { checked, expected } = await checkedAndExpected(root, loadable, Object.keys(loadable));
    expect(checked).toEqual(expected);
  }, 120_000);
});
