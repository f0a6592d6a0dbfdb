import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, parseFaults, repair, runLocal, SimulatedCrash } from '../../../runners/local/index.ts';
import { SeededRandom } from '../../../runtime/seeded-random.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { orderedPipeline, orderInput, orderTruth, type StepLetter } from '../../helpers/step-orders.ts';
import { embeddedOrderTables as tables, orderCounts as counts, totalOf as total } from '../../helpers/order-counts.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const order: StepLetter[] = ['A', 'E'];
/** How far a table is from the truth: the sum of the absolute differences, missing rows counted whole. */
const distance = (rows: Map<string, number>, truth: Map<string, number>) => {
  let d = 0;
  for (const [k, v] of truth) d += Math.abs((rows.get(k) ?? 0) - v);
  for (const [k, v] of rows) if (!truth.has(k)) d += Math.abs(v);
  return d;
};

describe('repair --checkpoint: a resumed stream goes on from the repaired values (finding 3)', () => {
  it.each([
    ['memory', [] as string[], 'ck'],
    ['an LMDB store (--state disk)', ['--state', 'disk'], 'dk'],
  ])(
    'the reported case through the CLI, state in %s: 300 events with duplicate=0.1 repaired, 100 more resumed → 400, not 429',
    (_, state, id) => {
      const dir = tempDir();
      const input = join(dir, 'input.jsonl');
      const store = join(dir, 'store');
      const checkpoint = join(dir, 'ckpt');
      const env = { STEP_ORDER: order.join(''), STEP_INPUT: input, IT_RUN_ID: id };
      const cli = ([command, ...args]: string[]) =>
        runCli([command!, 'test/fixtures/step-order.ts', '--store', store, '--checkpoint', checkpoint, '-q', ...args], {
          env,
        });
      const first = orderInput(input, 300, id);
      const run = cli(['run', ...state, '--faults', 'duplicate=0.1', '--seed', '7']);
      expect(run.status, run.stderr).toBe(0);
      expect(total(counts(store, `order_counts_${id}`))).toBeGreaterThan(300);
      const fixed = cli(['repair']);
      expect(fixed.status, fixed.stderr).toBe(0);
      expect(fixed.stdout).toMatch(/checkpoint state: \d+ entries from the system of record, [1-9]\d* changed/);
      expect(total(counts(store, `order_counts_${id}`))).toBe(300);
      const more = orderInput(input, 100, id, 7, 300);
      const resumed = cli(['run', ...state]);
      expect(resumed.status, resumed.stderr).toBe(0);
      const rows = counts(store, `order_counts_${id}`);
      expect(total(rows)).toBe(400);
      expect(rows).toEqual(orderTruth(order, [...first, ...more]));
    },
    240_000,
  );
});

describe('repair --checkpoint, randomized: crashes, duplicates and losses, then repair, then more input resumed', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, async () => {
      const random = new SeededRandom(seed * 9_973);
      const windowed = random.chance(0.5);
      const dir = tempDir();
      const input = join(dir, 'input.jsonl');
      const store = new EmbeddedStore(join(dir, 'store'));
      const checkpointDir = join(dir, 'ckpt');
      const pipeline = orderedPipeline(order, input, tables, windowed).ir;
      const batchSize = random.int(40, 160);
      const first = orderInput(input, random.int(300, 900), `r${seed}`, random.int(3, 9));
      const crashAt = random.int(2, 4);
      const faults = parseFaults(
        `duplicate=${random.int(5, 20) / 100},loss=${random.int(0, 5) / 100},lost-ack=0.1,crash-at=${crashAt}`,
      );
      const crash = (batch: number): never => {
        throw new SimulatedCrash(batch);
      };
      const run = (f = faults) =>
        runLocal(pipeline, { store, checkpointDir, batchSize, faults: f, seed, crash, log: () => {} });
      await expect(run()).rejects.toBeInstanceOf(SimulatedCrash);
      // The crashed batch archived (some of) its events past the checkpoint: repairing now would count them twice.
      await expect(repair(pipeline, { target: embeddedRepairTarget(store), checkpointDir })).rejects.toThrow(
        /stopped in the middle of a batch/,
      );
      await run();
      const truth = orderTruth(order, first, windowed);
      const repaired = await repair(pipeline, { target: embeddedRepairTarget(store), checkpointDir });
      expect(counts(store.dir)).toEqual(truth);
      expect(repaired.state!.changed).toBeGreaterThan(0);
      const more = orderInput(input, random.int(50, 400), `r${seed}`, 9, first.length);
      await run(parseFaults(''));
      expect(distance(counts(store.dir), orderTruth(order, [...first, ...more], windowed))).toBe(0);
    }, 60_000);
  }
});

describe('a stream and a repair never work on one checkpoint at once', () => {
  it('repair is refused while the stream runs, naming it; once the stream is stopped, it repairs', async () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    const checkpoint = join(dir, 'ckpt');
    const { spawn } = await import('node:child_process');
    const { repoRoot } = await import('../../helpers/run-cli.ts');
    const stream = spawn(
      process.execPath,
      [
        'bin/idemflow.js',
        'run',
        'test/fixtures/slow-archived-stream.ts',
        '--store',
        store,
        '--checkpoint',
        checkpoint,
        '--batch-interval',
        '200',
        '-q',
      ],
      { cwd: repoRoot, stdio: 'ignore' },
    );
    try {
      const deadline = Date.now() + 60_000;
      while (!existsSync(join(checkpoint, 'checkpoint.json')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const refused = runCli([
        'repair',
        'test/fixtures/slow-archived-stream.ts',
        '--store',
        store,
        '--checkpoint',
        checkpoint,
        '-q',
      ]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^idemflow: the checkpoint folder ${checkpoint} .*pid ${stream.pid}.*idemflow run test/fixtures/slow-archived-stream\\.ts`,
        ),
      );
    } finally {
      const exited = new Promise((r) => stream.once('exit', r));
      stream.kill('SIGINT');
      await exited;
    }
    const repaired = runCli([
      'repair',
      'test/fixtures/slow-archived-stream.ts',
      '--store',
      store,
      '--checkpoint',
      checkpoint,
      '-q',
    ]);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(repaired.stdout).toMatch(
      /0 corrected, in [\d.]+ s\ncheckpoint state: [1-9]\d* entries from the system of record, 0 changed/,
    );
  }, 180_000);

  it('a repair that died after rewriting rows keeps the stream from resuming until a repair completes', async () => {
    const dir = tempDir();
    const input = join(dir, 'input.jsonl');
    const store = new EmbeddedStore(join(dir, 'store'));
    const checkpointDir = join(dir, 'ckpt');
    const pipeline = orderedPipeline(order, input, tables).ir;
    orderInput(input, 300, 'dead');
    await runLocal(pipeline, {
      store,
      checkpointDir,
      batchSize: 100,
      faults: parseFaults('duplicate=0.2'),
      log: () => {},
    });
    // What a repair killed with -9 between its row writes and its state rewrite leaves: its marker.
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    writeFileSync(
      join(checkpointDir, 'repair-pending.json'),
      JSON.stringify({ pid: Number(dead), pipeline: pipeline.name, since: '2026-01-01T00:00:00.000Z' }),
    );
    await expect(runLocal(pipeline, { store, checkpointDir, log: () => {} })).rejects.toThrow(
      `a repair of order-AE with checkpoint ${checkpointDir} (pid ${dead}, 2026-01-01T00:00:00.000Z) did not finish`,
    );
    await expect(runLocal(pipeline, { store, checkpointDir, log: () => {} })).rejects.toThrow(/did not finish/);
    await repair(pipeline, { target: embeddedRepairTarget(store), checkpointDir });
    orderInput(input, 100, 'dead', 7, 300);
    await runLocal(pipeline, { store, checkpointDir, log: () => {} });
    expect(total(counts(store.dir))).toBe(400);
    expect(existsSync(join(checkpointDir, 'repair-pending.json'))).toBe(false);
  }, 60_000);
});
