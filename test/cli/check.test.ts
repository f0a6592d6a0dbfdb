import { describe, expect, it } from 'vitest';
import { readResults, summarize } from '../../compiler/strategy/measurements.ts';
import { runCli } from '../helpers/run-cli.ts';

interface JsonReport {
  pipelines: {
    name: string;
    file: string;
    strategy: { id: string; title: string; reasons?: string[] };
    diagnostics: { code: string; severity: string; message: string; fix: string; line?: number }[];
  }[];
}

const rows = [
  'counters',
  'counters-wal',
  'counters-direct',
  'aggregates',
  'aggregates-wal',
  'aggregates-direct',
  'aggregates-sor',
  'aggregates-sor-wal',
  'aggregates-sor-direct',
];

describe('idemflow check', () => {
  it('keeps its report alone on stdout: what a pipeline module prints as it loads goes to stderr', () => {
    for (const format of ['json', 'pretty']) {
      const r = runCli(['check', 'test/fixtures/logs-at-load.ts', '--format', format]);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain('building the counts pipeline');
      expect(r.stderr).toContain('building the counts pipeline\ndebug: config loaded\nwritten to stdout directly\n');
      if (format === 'json') expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
      else expect(r.stdout).toContain('counts');
    }
  });

  it('classifies all nine strategy pipelines, errors on the counter rows, and exits 1', () => {
    const r = runCli(['check', 'pipelines/strategies/*.ts', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.pipelines).toHaveLength(9);
    for (const p of report.pipelines) {
      // Each example file is named after the row it must be classified as.
      expect(p.file).toBe(`pipelines/strategies/${p.strategy.id}.ts`);
      expect(p.name).toBe(p.strategy.id);
      for (const d of p.diagnostics)
        expect(Object.keys(d)).toEqual(expect.arrayContaining(['code', 'severity', 'message', 'fix']));
    }
    expect(report.pipelines.map((p) => p.strategy.id).sort()).toEqual([...rows].sort());
    const byId = new Map(report.pipelines.map((p) => [p.strategy.id, p]));
    const codes = (id: string, severity: string) =>
      byId
        .get(id)!
        .diagnostics.filter((d) => d.severity === severity)
        .map((d) => d.code);
    for (const id of ['counters', 'counters-wal', 'counters-direct']) expect(codes(id, 'error')).toContain('IDEM001');
    for (const id of ['aggregates-sor', 'aggregates-sor-wal', 'aggregates-sor-direct'])
      expect(byId.get(id)!.diagnostics).toEqual([]);
    for (const id of ['aggregates', 'aggregates-wal', 'aggregates-direct']) {
      expect(codes(id, 'error')).toEqual([]);
      expect(codes(id, 'note')).toEqual(['IDEM006']);
    }
    expect(codes('aggregates', 'warning')).toEqual(['IDEM005']);
  });

  it('passes the recommended sensor pipeline with exit 0', () => {
    const r = runCli(['check', 'pipelines/sensor-counts.ts']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('aggregates-sor-direct');
    expect(r.stdout).toContain('0 errors');
  });

  it("--explain gives the row, the guide's verdict and the reasons", () => {
    const r = runCli(['check', 'pipelines/strategies/counters-wal.ts', '--explain']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Counters + Streaming + WAL');
    expect(r.stdout).toMatch(
      /the guide's verdict \(Real Time Analytics with Spark Streaming and Cassandra\): Slow, inaccurate/,
    );
    expect(r.stdout).not.toMatch(/\bseed's\b/);
    expect(r.stdout).toContain('write-ahead log → WAL');
    const json = JSON.parse(
      runCli(['check', 'pipelines/sensor-counts.ts', '--explain', '--format', 'json']).stdout,
    ) as JsonReport;
    expect(json.pipelines[0]!.strategy.reasons!.join('\n')).toMatch(/Kafka.*Direct API/);
  });

  it('--explain says so when the measurement refutes the guide\'s "permanently accurate" (aggregates-sor: inexact after repair)', () => {
    const row = summarize(readResults()!.strategies['aggregates-sor']!);
    expect(row.exactSeeds).toBeLessThan(row.seeds);
    const r = runCli(['check', 'pipelines/strategies/aggregates-sor.ts', '--explain']);
    expect(r.stdout).toContain('the guide claims: speed fast · accuracy permanently accurate');
    expect(r.stdout).toContain(
      `✘ measured: refutes "permanently accurate": exact after repair in ${row.exactSeeds}/${row.seeds} seeds`,
    );
    // A row the measurement bears out gets no such line.
    expect(runCli(['check', 'pipelines/sensor-counts.ts', '--explain']).stdout).not.toContain('refutes');
  });

  it('--explain cites the measured row from the committed strategies benchmark (bench/results/strategies.json)', () => {
    const results = readResults()!;
    expect(results, 'run npm run bench -- strategies and commit bench/results/strategies.json').toBeDefined();
    const row = summarize(results.strategies['aggregates-sor-direct']!);
    const pretty = runCli(['check', 'pipelines/sensor-counts.ts', '--explain']).stdout;
    const rate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(row.eventsPerSecond);
    expect(pretty).toContain(
      `measured (${results.seeds} seeds, ${results.generatedAt.slice(0, 10)}, docs/cheat-sheet.md): ${rate} events/s`,
    );
    expect(pretty).toContain(`(exact in ${row.exactSeeds}/${row.seeds} seeds)`);
    const json = JSON.parse(
      runCli(['check', 'pipelines/sensor-counts.ts', '--explain', '--format', 'json']).stdout,
    ) as { pipelines: { strategy: { measured: unknown } }[] };
    expect(json.pipelines[0]!.strategy.measured).toEqual(JSON.parse(JSON.stringify(row)));
  });

  it('--runner beam-* adds the closure rule: a captured module constant is an error there, not locally', () => {
    const local = runCli(['check', 'test/fixtures/captures.ts', '--format', 'json']);
    expect(local.status).toBe(0);
    const beam = runCli(['check', 'test/fixtures/captures.ts', '--runner', 'beam-direct', '--format', 'json']);
    expect(beam.status).toBe(1);
    const d = (JSON.parse(beam.stdout) as JsonReport).pipelines[0]!.diagnostics.find((x) => x.code === 'IDEM009')!;
    expect(d.message).toContain('The .filter function captures `minimum`');
    expect(d.line).toBe(8);
    expect(runCli(['check', 'pipelines/sensor-counts.ts', '--runner', 'beam-flink']).status).toBe(0);
  });

  it('reports every pipeline a file exports', () => {
    const r = runCli(['check', 'test/fixtures/two-pipelines.ts', '--format', 'json']);
    expect((JSON.parse(r.stdout) as JsonReport).pipelines.map((p) => p.name)).toEqual(['counts', 'sums']);
  });
});

describe('idemflow check: bad input', () => {
  const expectOneLine = (args: string[], pattern: RegExp) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  };

  it('a missing file', () =>
    expectOneLine(['check', 'pipelines/nope.ts'], /^idemflow: pipelines\/nope\.ts: file not found$/));
  it('a glob matching nothing', () => expectOneLine(['check', 'pipelines/*.nothing'], /no files match/));
  it('a module that throws', () =>
    expectOneLine(
      ['check', 'test/fixtures/bad/throws.ts'],
      /test\/fixtures\/bad\/throws\.ts: failed to load: kaboom: the config service is down/,
    ));
  it("a file that does not parse: the parser's message at file:line:col, the place lint gives too (IDEM015), without --verbose", () =>
    expectOneLine(
      ['check', 'test/fixtures/lint/syntax-error.ts'],
      /^idemflow: test\/fixtures\/lint\/syntax-error\.ts: failed to load: test\/fixtures\/lint\/syntax-error\.ts:6:11: Expected "\)" but found ";"$/,
    ));
  it('a module with no pipeline', () =>
    expectOneLine(['check', 'test/fixtures/bad/no-pipeline.ts'], /no-pipeline\.ts: exports no pipeline/));
  it('an invalid DSL argument names the call, the argument and the line', () =>
    expectOneLine(
      ['check', 'test/fixtures/bad/bad-table-name.ts'],
      /cassandra\.upsert: table "sensor-counts; DROP TABLE x" is not a valid CQL identifier.*bad-table-name\.ts:8:/,
    ));
  it('an unknown format', () => {
    const r = runCli(['check', 'pipelines/sensor-counts.ts', '--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are pretty, json/);
  });
  it('--verbose adds the stack trace', () => {
    const r = runCli(['check', 'test/fixtures/bad/throws.ts', '--verbose']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/at .*throws\.ts:2/);
  });
  it('--help explains the command and its exit codes', () => {
    const r = runCli(['check', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 no errors/);
    expect(r.stdout).toMatch(/--explain/);
  });
});
