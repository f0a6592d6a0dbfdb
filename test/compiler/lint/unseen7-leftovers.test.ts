import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedAndExpected, type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/unseen7-left/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * Left from the seventh round of unseen pipelines (issue 15, U15Q): values chosen by a condition, a helper's
 * several returns, a factory's branches as its calls take them. Each file has look-alikes that stay clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // A const holding a function chosen by a condition: the arrival-time branch carries the clock; a choice of two
  // clean functions stays clean.
  'dsl/chosen-functions.ts': [['IDEM003', 17, 50, 'fallback()']],
  // A grain width an instance holds, read through `this`: a constructor's default (the hour) and a readonly field
  // are reported on 1-minute windows; the minute a `new` passes is not.
  'dsl/instance-widths.ts': [
    ['IDEM004', 39, 89, 'byDefault.of('],
    ['IDEM004', 47, 89, 'hours.of('],
  ],
  // A field of an object kept for the process (globalThis through a local alias, a module-level object) that every
  // call changes feeds an id; an object set once and only read, and a metric counted beside the id, stay clean.
  'dsl/process-state.ts': [
    ['IDEM007', 46, 103, 'ingestNumber()'],
    ['IDEM007', 52, 103, 'batchNumber()'],
  ],
  // idempotent: true checked against the body: a sink built from an instance's fields (a base class's claim, the
  // subclass's counter statement behind an abstract method), and a .parse() dead-letter sink that appends. An
  // honest dead-letter sink that overwrites by position stays clean.
  'dsl/claimed-sinks.ts': [
    ['IDEM008', 23, 20, 'execute('],
    ['IDEM008', 50, 13, 'appendFile('],
  ],
  // A helper imported through the package.json `imports` map (`#lib/ids`) is the program's own module: its random
  // fallback is reported where it is written; the deterministic helper beside it stays clean.
  'subpath/pipeline.ts': [],
  'subpath/lib/ids.ts': [['IDEM007', 9, 49, 'randomUUID()']],
  // A CommonJS helper loaded through createRequire(import.meta.url): a shard naming the machine is reported at the
  // key; a hash of the event that only logs the host name is not.
  'dsl/required.ts': [['IDEM003', 26, 19, 'shardFor(']],
  'dsl/shard.cjs': [],
  // Retry options spread from a helper: all of its returns say retry: 'none' (a conditional, or two returns) and
  // the sink is not retried; one return with retries keeps the finding.
  'dsl/delivery-helpers.ts': [['IDEM008', 39, 9, "sink({ name: 'billing-c'"]],
  // A factory's counter branch that no call takes builds no pipeline; one a call takes is reported.
  'dsl/factory-branches.ts': [
    ['IDEM001', 16, 6, 'kafka('],
    ['IDEM001', 33, 50, 'counter('],
  ],
};

describe('round 7 leftovers: values chosen by a condition', () => {
  fixtureFolderTests(root, tsconfig, dslCases);

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    // The subpath folder has a package.json of its own (for its `imports` map), under which `idemflow` does not
    // resolve when it runs: it is linted only.
    // The CommonJS helper holds no pipeline.
    const run = Object.fromEntries(
      Object.entries(dslCases).filter(([name]) => !name.startsWith('subpath/') && name.endsWith('.ts')),
    );
    const { checked, expected } = await checkedAndExpected(root, run, Object.keys(run));
    expect(checked).toEqual(expected);
  }, 120_000);
});
