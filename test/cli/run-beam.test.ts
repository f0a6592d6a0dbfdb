import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { demoEvents } from '../../pipelines/demo/sensor-events.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const aggregates = 'pipelines/demo/sensor-aggregates.ts';

describe('idemflow run --runner beam-*', () => {
  it("beam-direct runs the demo into the same tables, and names Beam's log", () => {
    const store = join(tempDir(), 'store');
    const run = runCli(['run', aggregates, '--runner', 'beam-direct', '--store', store]);
    expect(run.stderr).toContain('sensor-aggregates: running on beam-direct');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/sensor-aggregates: 20,000 records on beam-direct/);
    expect(run.stdout).toMatch(/Beam's log: .*idemflow-beam.*\.log/);
    const counts = new EmbeddedStore(store).table({ table: 'sensor_counts' }).rows();
    expect(counts.reduce((a, r) => a + Number(r.columns.measurements), 0)).toBe(demoEvents.count);
    expect(new EmbeddedStore(store).table({ table: 'sensor_events' }).rows()).toHaveLength(demoEvents.count);
  });

  it('refuses a function that captures a module variable (IDEM009), naming it', () => {
    const run = runCli([
      'run',
      'test/fixtures/captures.ts',
      '--runner',
      'beam-direct',
      '--store',
      join(tempDir(), 'store'),
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot run on beam-direct: IDEM009 .*captures `minimum`/);
  });

  it.each([
    [['--checkpoint', 'x'], '--checkpoint: local runner only'],
    [['--dry-run'], '--dry-run: local runner only'],
    [['--faults', 'crash-at=2'], 'only write-fail and lost-ack'],
  ])('refuses local-runner options: %j', (extra, message) => {
    const run = runCli(['run', aggregates, '--runner', 'beam-direct', '--store', join(tempDir(), 'store'), ...extra]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('refuses an endless stream (a socket receiver) with what to do instead', () => {
    const run = runCli(['run', 'pipelines/strategies/aggregates-sor.ts', '--runner', 'beam-direct']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('a socket source is an endless stream');
    expect(run.stderr).toContain('record the stream to a file');
  });

  it.each([
    [['--streaming'], '--streaming applies to --runner beam-flink'],
    [['--runner', 'beam-direct', '--streaming'], '--streaming: with --runner beam-flink'],
    [['--runner', 'beam-flink', '--checkpoint-interval', '1000'], '--checkpoint-interval: with --streaming'],
    [['--runner', 'beam-flink', '--window-grace', '1000'], '--window-grace: with --streaming'],
    [['--window-grace', '0'], '--window-grace applies to --runner beam-flink'],
    [['--runner', 'beam-flink', '--streaming', '--window-grace', '-1'], '--window-grace must be a whole number >= 0'],
    [
      ['--runner', 'beam-flink', '--restarts', '3', '--restart-delay', '500'],
      '--restarts, --restart-delay: with --streaming',
    ],
    [['--restarts', '3'], '--restarts applies to --runner beam-flink'],
    [['--runner', 'beam-flink', '--streaming', '--restarts', '-1'], '--restarts must be a whole number >= 0, got "-1"'],
    [
      ['--runner', 'beam-flink', '--streaming'],
      'streaming: a Kafka source on beam-flink only (this is a generator source on beam-flink)',
    ],
  ])('--streaming: refused where it means nothing, before anything starts: %j', (extra, message) => {
    const run = runCli(['run', aggregates, '--store', join(tempDir(), 'store'), ...extra]);
    expect(run.stderr).toContain(message);
    expect(run.status).toBe(2);
    expect(run.stderr).not.toContain('flink job server: starting');
  });

  it.each([
    ['0', true],
    ['59999', true],
    ['60000', false],
  ])('--window-grace %s: a grace under a minute is warned of before anything starts', (grace, warned) => {
    const flags = ['--runner', 'beam-flink', '--streaming', '--window-grace', grace];
    const run = runCli(['run', aggregates, '--store', join(tempDir(), 'store'), ...flags]);
    const warning = `warning: --window-grace ${grace}: Flink drops a record that reaches its window`;
    if (warned) expect(run.stderr).toContain(warning);
    else expect(run.stderr).not.toContain('warning: --window-grace');
    expect(run.stderr).not.toContain('flink job server: starting');
  });

  it('--flink-master needs --runner beam-flink', () => {
    const run = runCli(['run', aggregates, '--flink-master', 'jm:8081', '--store', join(tempDir(), 'store')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--flink-master applies to --runner beam-flink');
  });
});
