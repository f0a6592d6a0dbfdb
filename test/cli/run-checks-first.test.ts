import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../compiler/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const wallClock = 'test/fixtures/run/counter-wall-clock-key.ts';
const noRetry = 'test/fixtures/run/counter-no-retry.ts';

// Each case starts the CLI; on a shared, loaded machine one start can take 15 s.
describe('idemflow run checks the pipeline first', { timeout: 90_000 }, () => {
  it('refuses a counter keyed by Date.now() (exit 1), prints each error with its place and fix, and writes nothing', () => {
    const store = join(tempDir(), 'store');
    const r = runCli(['run', wallClock, '--store', store, '-q']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'wall-clock-counter: error IDEM001 Counter sink wall_clock_counts retries failed writes',
    );
    expect(r.stderr).toContain('wall-clock-counter: error IDEM003 The group key comes from Date.now()');
    expect(r.stderr).toMatch(/at test\/fixtures\/run\/counter-wall-clock-key\.ts:\d+:\d+/);
    expect(r.stderr).toContain(
      'idemflow: wall-clock-counter: refusing to run with 2 errors (IDEM001, IDEM003); fix them, or accept the risk with --allow IDEM001,IDEM003',
    );
    expect(r.stdout).toBe('');
    expect(new EmbeddedStore(store).tableNames()).toEqual([]);
  });

  it('--allow naming only some of the codes still refuses, naming the rest', () => {
    const r = runCli(['run', wallClock, '--store', join(tempDir(), 'store'), '--allow', 'IDEM001', '-q']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error (allowed) IDEM001');
    expect(r.stderr).toContain('refusing to run with 1 error (IDEM003)');
  });

  it('--allow naming every code runs, and still says what it allowed', () => {
    const store = join(tempDir(), 'store');
    const r = runCli(['run', wallClock, '--store', store, '--allow', 'IDEM001,idem003']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('wall-clock-counter: error (allowed) IDEM003');
    expect(new EmbeddedStore(store).table({ table: 'wall_clock_counts' }).size).toBeGreaterThan(0);
  });

  it('an unknown code in --allow is a usage error naming the known codes', () => {
    const r = runCli(['run', wallClock, '--allow', 'IDEM01']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `idemflow: --allow: unknown code IDEM01 (codes: ${rules.map((rule) => rule.meta.code).join(', ')})`,
    );
  });

  it('a warning is printed once and the run goes on', () => {
    const dir = tempDir();
    const r = runCli(['run', noRetry, '--store', join(dir, 'store'), '-q']);
    expect(r.status).toBe(0);
    expect(r.stderr.split('IDEM002')).toHaveLength(2);
    expect(r.stderr).toContain('no-retry-counter: warning IDEM002 Counter sink no_retry_counts does not retry');
    // Notes are for `check`; a run shows only what may make its results wrong.
    expect(r.stderr).not.toContain('IDEM006');
  });

  it('the recommended demo pipeline runs with nothing to say', () => {
    const r = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--store', join(tempDir(), 'store'), '-q']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
