import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { countsByKeyAndWindow, generatorDefaults } from '../helpers/truth.ts';
import { demoEvents } from '../../pipelines/demo/sensor-events.ts';

const aggregates = 'pipelines/demo/sensor-aggregates.ts';
// The demo input's truth, by a hand loop: how many (sensor, minute) rows, and how many events.
const truth = countsByKeyAndWindow({ ...demoEvents, ...generatorDefaults }, 60_000);
const rows = truth.size;
const events = demoEvents.count;

describe('idemflow run, repair, store', () => {
  it('a crash exits 137; the next run resumes from the checkpoint; repair then finds nothing to correct', () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    const checkpoint = join(dir, 'ckpt');
    const crashed = runCli([
      'run',
      aggregates,
      '--store',
      store,
      '--checkpoint',
      checkpoint,
      '--faults',
      'crash-at=4,lost-ack=0.2',
      '--seed',
      '5',
      '-q',
    ]);
    expect(crashed.status).toBe(137);
    expect(crashed.stderr).toContain('injected crash in batch 4');
    expect(existsSync(join(checkpoint, 'checkpoint.json'))).toBe(true);
    const resumed = runCli([
      'run',
      aggregates,
      '--store',
      store,
      '--checkpoint',
      checkpoint,
      '--faults',
      'crash-at=4,lost-ack=0.2',
      '--seed',
      '5',
    ]);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(/resuming sensor-aggregates from the checkpoint after batch 3/);
    // Resumed after batch 3, that is after 3 full batches of 1,000: at least the 17,000 records that followed (more if
    // failed writes replayed a batch), and the summary says where it resumed and which batches it ran.
    const read = Number(
      resumed.stdout
        .match(/sensor-aggregates: ([\d,]+) records in batches 4–20 \(resumed at record 3,000\)/)![1]!
        .replace(/,/g, ''),
    );
    expect(read).toBeGreaterThanOrEqual(17_000);
    const counts = new EmbeddedStore(store).table({ table: 'sensor_counts' }).rows();
    expect(counts.reduce((a, r) => a + Number(r.columns.measurements), 0)).toBe(events);
    const repaired = runCli(['repair', aggregates, '--store', store, '-q']);
    expect(repaired.status).toBe(0);
    expect(repaired.stdout).toContain(`${events} events, ${rows} rows checked, 0 corrected`);
  });

  it('repair corrects a damaged row and says so', () => {
    const store = join(tempDir(), 'store');
    expect(runCli(['run', aggregates, '--store', store, '-q']).status).toBe(0);
    const table = new EmbeddedStore(store).table({ table: 'sensor_counts' });
    const [first] = table.rows();
    table.write([{ op: 'upsert', k: first!.key, v: { measurements: 999_999 } }]);
    expect(runCli(['repair', aggregates, '--store', store, '--dry-run', '-q']).stdout).toMatch(/1 would correct/);
    expect(runCli(['repair', aggregates, '--store', store, '-q']).stdout).toContain(
      `${rows} rows checked, 1 corrected`,
    );
    expect(new EmbeddedStore(store).table({ table: 'sensor_counts' }).get(first!.key)).toEqual(first!.columns);
  });

  it('repair refuses a counter pipeline with the compiler diagnostic', () => {
    const r = runCli(['repair', 'pipelines/demo/sensor-counters.ts', '--store', join(tempDir(), 's')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^idemflow: cannot repair sensor-counters: .*counter cannot be repaired by rewriting it \(IDEM001\)/,
    );
  });

  it('--dry-run writes nothing and shows the planned rows against the store', () => {
    const store = join(tempDir(), 'store');
    const r = runCli(['run', aggregates, '--store', store, '--dry-run', '-q']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`embedded.sensor_counts: ${rows} rows — ${rows} new, 0 changed, 0 unchanged`);
    expect(r.stdout).toMatch(/\+ \(sensor-\d+, \d+\) measurements=\d+/);
    expect(new EmbeddedStore(store).tableNames()).toEqual([]);
  });

  it('store list and dump show the tables', () => {
    const store = join(tempDir(), 'store');
    runCli(['run', aggregates, '--store', store, '-q']);
    expect(runCli(['store', 'list', '--store', store]).stdout).toContain(`embedded.sensor_counts\t${rows} rows`);
    const dump = runCli(['store', 'dump', 'sensor_counts', '--store', store, '--format', 'json']);
    const dumped = JSON.parse(dump.stdout) as { key: unknown[]; measurements: number }[];
    expect(dumped).toHaveLength(rows);
    expect(dumped.reduce((a, r) => a + r.measurements, 0)).toBe(events);
    const missing = runCli(['store', 'dump', 'nope', '--store', store]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no table "nope" .* \(tables: embedded\.sensor_counts, embedded\.sensor_events\)/);
  });

  it('bad options are usage errors naming the option', () => {
    const r = runCli(['run', aggregates, '--faults', 'lost-ack=7']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('idemflow: --faults: lost-ack takes a probability between 0 and 1, got "7"');
    const crashNoCheckpoint = runCli(['run', aggregates, '--faults', 'crash-at=2', '--store', join(tempDir(), 's')]);
    expect(crashNoCheckpoint.status).toBe(2);
    expect(crashNoCheckpoint.stderr).toMatch(
      /crash-at \/ crash-after-checkpoint \/ crash-mid-append need --checkpoint/,
    );
  });

  it('an unreachable Kafka: one line a retry with backoff, then one clear error naming the brokers, exit 2', () => {
    const kafka = runCli(['run', 'pipelines/sensor-counts.ts', '-q', '--connect-attempts', '3'], {
      env: { IDEMFLOW_KAFKA_BROKERS: '127.0.0.1:1' },
    });
    expect(kafka.status).toBe(2);
    expect(kafka.stderr.trim().split('\n')).toEqual([
      'source.kafka: cannot reach brokers 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1); retrying in 500 ms',
      'source.kafka: cannot reach brokers 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1); retrying in 1000 ms',
      'idemflow: source.kafka: cannot reach brokers 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1) after 3 attempts; are they running? (scripts/services up); if they require TLS, set IDEMFLOW_KAFKA_TLS_CA (docs/connectors.md)',
    ]);
  });
});

describe('idemflow demo', () => {
  it('shows counters overcounting and the idempotent design exact after repair', () => {
    const r = runCli(['demo']);
    expect(r.status).toBe(0);
    // Table rows: a label, then a total and rows-ok figure.
    const row = (label: string) =>
      r.stdout.split('\n').find((l) => l.trim().startsWith(label) && new RegExp(`\\d+/${rows}`).test(l)) ?? '';
    const shown = events.toLocaleString('en-US');
    expect(row('truth (hand count)')).toMatch(new RegExp(`${shown}\\s+${rows}/${rows}`));
    expect(row('sensor-counters ')).toMatch(/overcount/);
    expect(
      Number(
        row('sensor-counters ')
          .match(/([\d,]+)\s+\d+\//)![1]!
          .replace(/,/g, ''),
      ),
    ).toBeGreaterThan(events);
    expect(row('sensor-aggregates after repair')).toMatch(new RegExp(`${shown}\\s+${rows}/${rows}\\s+exact`));
    expect(r.stdout).toMatch(/crash in batch 9; restarting from the last checkpoint/);
  });
});
