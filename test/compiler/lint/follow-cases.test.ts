import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LintResult } from '../../../compiler/lint/lint.ts';
import {
  checkedAndExpected,
  lintCaseTests,
  lintFixtureFolder,
  type ExpectedFinding,
} from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/follow/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * Left from the fourth round of unseen cases (issue 15): paths the analysis
 * did not follow, or followed too far. Each case with a look-alike that
 * stays clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // An overloaded helper (e27): the call resolves to a signature without a body; its implementation reads the clock.
  'dsl/overloaded-key.ts': [['IDEM003', 12, 19, 'shiftOf(e.sensorId)']],
};

const driverCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  'driver/client.ts': [],
  // A table looked up by a constant key runs the entry the key names (r02): the odometer's whole value is clean,
  // `HANDLERS['trip']` still counts; the stop and fuel counters are never picked.
  'driver/const-key-table.ts': [['IDEM010', 10, 18, 'execute(']],
  // The same for driver code (e27): the key's overloaded helper adds Date.now(); its look-alike adds a field.
  'driver/overloaded-key.ts': [['IDEM011', 26, 85, 'tripId(vin)']],
};

const cases = { ...dslCases, ...driverCases };

describe('paths through helpers, listeners, queues, prototypes, overloads and records', () => {
  let files: string[];
  let linted: LintResult;
  beforeAll(async () => {
    ({ files, linted } = await lintFixtureFolder(root, tsconfig));
  }, 120_000);

  it('covers every fixture file', () => {
    expect(files.map((f) => f.slice(root.length)).sort()).toEqual(Object.keys(cases).sort());
  });

  lintCaseTests(root, cases, () => linted, 'lint ');

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    const { checked, expected } = await checkedAndExpected(root, dslCases, Object.keys(dslCases));
    expect(checked).toEqual(expected);
  }, 120_000);
});
