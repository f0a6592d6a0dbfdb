import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintProject, loadLintProject, type LintResult } from '../../../compiler/lint/lint.ts';
import { resolveFiles } from '../../../cli/load-pipelines.ts';
import { lintCaseTests, type ExpectedFinding } from '../../helpers/lint-cases.ts';

const dir = fileURLToPath(new URL('../../fixtures/lint/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

type Expected = ExpectedFinding;

/** Every fixture and all it must report (IDEM006, a note on every pipeline without a system of record, is turned off here and tested on its own). */
const cases: Readonly<Record<string, readonly Expected[]>> = {
  // idemflow pipelines, read without running them
  'dsl-counter-retry.ts': [['IDEM001', 9, 19, 'counter(']],
  'dsl-date-in-key-fn.ts': [['IDEM003', 11, 43, 'new Date()']],
  'dsl-map-stamps-time.ts': [['IDEM003', 5, 36, 'Date.now()']],
  'dsl-groupby-random.ts': [['IDEM003', 5, 36, 'Math.random()']],
  'dsl-clean-recommended.ts': [],
  'dsl-date-logging-clean.ts': [],
  'dsl-helper-across-files.ts': [],
  'helpers.ts': [['IDEM001', 7, 20, 'counter(']],
  'dsl-const-spec-kafka.ts': [['IDEM001', 6, 4, 'kafka(']],
  'dsl-socket-no-wal.ts': [['IDEM005', 4, 4, 'socket(']],
  'dsl-sor-random-id.ts': [['IDEM007', 6, 88, 'randomUUID()']],
  'dsl-custom-sink-retry.ts': [['IDEM008', 10, 5, 'sink(']],
  'dsl-incomplete-key.ts': [['IDEM004', 9, 19, 'upsert(']],
  'dsl-namespace-import.ts': [['IDEM001', 7, 23, 'counter(']],
  'dsl-not-idemflow-clean.ts': [],
  'dsl-function-declaration-key.ts': [['IDEM003', 4, 17, 'Date.now()']],
  // category 3: a key coarser than its window; a custom sink whose declaration its write contradicts
  'dsl-key-coarser-than-window.ts': [['IDEM004', 16, 46, 'Math.floor(']],
  'dsl-key-day-partition-clean.ts': [],
  'dsl-custom-sink-counter-idempotent.ts': [['IDEM008', 19, 22, 'batch(']],
  'dsl-custom-sink-upsert-idempotent-clean.ts': [],
  // Driver code the CLI tests read too; each source rule's own cases are inline, in test/compiler/lint/rules/.
  // cassandra-driver code
  'driver-counter-idempotent.ts': [['IDEM010', 6, 16, 'execute(']],
  'driver-counter-loop.ts': [['IDEM010', 9, 20, 'execute(']],
  'driver-counter-kafka.ts': [['IDEM010', 12, 20, 'execute(']],
  'driver-key-new-date.ts': [['IDEM011', 13, 109, 'new Date()']],
  // kafkajs handlers
  'kafka-awaited-clean.ts': [],
  // a file that does not parse is an error at the parser's place, never a silent clean
  'syntax-error.ts': [['IDEM015', 6, 11, ';']],
  // suppressions: honoured with a reason; refused without one; unknown codes and stale comments reported
  'suppressed.ts': [
    ['IDEM013', 11, 3, '// idemflow-disable-next-line IDEM010\n'],
    ['IDEM010', 12, 16, 'execute('],
    ['IDEM013', 16, 3, '// idemflow-disable-next-line IDEM999'],
    ['IDEM013', 21, 3, '// idemflow-disable-next-line IDEM011'],
  ],
};

describe('idemflow lint on fixtures of good and bad code', () => {
  let result: LintResult;
  beforeAll(async () => {
    const files = (await resolveFiles([dir])).map((f) => f.path);
    result = lintProject(loadLintProject(files, tsconfig), files, { config: { rules: { IDEM006: 'off' } } });
  }, 120_000);

  it('covers every fixture file', async () => {
    const files = (await resolveFiles([dir])).map((f) => f.path.slice(dir.length));
    expect(files.sort()).toEqual(Object.keys(cases).sort());
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(25);
  });

  lintCaseTests(dir, cases, () => result);

  it('keeps a suppressed finding, marked with its reason (SARIF shows it as suppressed)', () => {
    const suppressed = result.findings.filter((f) => f.suppressed);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({ code: 'IDEM010', location: { file: `${dir}suppressed.ts`, line: 7 } });
    expect(suppressed[0]!.suppressed!.justification).toBe(
      'approximate hit counter; the nightly batch job recomputes it exactly',
    );
  });

  it('names where a taint came from: the event time reads a field a .map stamped with the clock', () => {
    const finding = result.findings.find((f) => f.location.file.endsWith('dsl-map-stamps-time.ts'))!;
    expect(finding.message).toMatch(/Date\.now\(\).*receivedAt.*\.map at .*dsl-map-stamps-time\.ts:5:4/);
  });

  it('without configuration, IDEM006 notes pipelines that keep no system of record, and none that do', async () => {
    const files = [`${dir}dsl-counter-retry.ts`, `${dir}dsl-clean-recommended.ts`];
    const plain = lintProject(loadLintProject(files, tsconfig), files);
    expect(
      plain.findings.map((f) => [
        f.code,
        f.location.file.slice(dir.length),
        f.location.line,
        f.location.column,
        f.severity,
      ]),
    ).toEqual([
      ['IDEM006', 'dsl-counter-retry.ts', 9, 4, 'note'],
      ['IDEM001', 'dsl-counter-retry.ts', 9, 19, 'error'],
    ]);
  }, 60_000);

  it('a config can change a severity', async () => {
    const files = [`${dir}dsl-socket-no-wal.ts`];
    const configured = lintProject(loadLintProject(files, tsconfig), files, {
      config: { rules: { IDEM005: 'error', IDEM006: 'off' } },
    });
    expect(configured.findings.map((f) => [f.code, f.severity])).toEqual([['IDEM005', 'error']]);
  }, 60_000);
});
