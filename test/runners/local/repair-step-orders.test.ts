import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRules, rules } from '../../../compiler/index.ts';
import { classify } from '../../../compiler/strategy/classify.ts';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, parseFaults, repair, runLocal } from '../../../runners/local/index.ts';
import { runCli } from '../../helpers/run-cli.ts';
import {
  everyOrder,
  orderedPipeline,
  orderInput,
  orderTruth,
  unrepairable,
  type StepLetter,
} from '../../helpers/step-orders.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const tables = { keyspace: 'idemflow_it', events: 'order_events', counts: 'order_counts' };
/** Read from a fresh store each time: repair appends to the table's log behind any store already open. */
const counts = (store: EmbeddedStore, table = tables.counts) =>
  new Map(
    new EmbeddedStore(store.dir)
      .table({ keyspace: tables.keyspace, table })
      .rows()
      .map((r) => [JSON.stringify(r.key), Number(r.columns.measurements)]),
  );

describe('repair derives every step around the archive as the stream does', () => {
  for (const order of everyOrder) {
    const name = order.join('');
    it(`${name}: ${unrepairable(order) ? 'refused, and check says why' : 'a lossy run repaired to the truth'}`, async () => {
      const dir = tempDir();
      const input = join(dir, 'input.jsonl');
      const readings = orderInput(input, 1_500, name);
      const pipeline = orderedPipeline(order, input, tables).ir;
      const store = new EmbeddedStore(join(dir, 'store'));
      await runLocal(pipeline, { store, batchSize: 200, faults: parseFaults('loss=0.05'), seed: 3, log: () => {} });
      const truth = orderTruth(order, readings);
      expect(counts(store)).not.toEqual(truth); // the faults struck
      const codes = runRules(pipeline, rules).map((d) => d.code);
      if (unrepairable(order)) {
        await expect(repair(pipeline, { target: embeddedRepairTarget(store) })).rejects.toThrow(/\(IDEM014\)/);
        expect(codes).toContain('IDEM014');
        expect(classify(pipeline).strategy.id).toBe('aggregates');
        return;
      }
      const result = await repair(pipeline, { target: embeddedRepairTarget(store) });
      expect(counts(store)).toEqual(truth);
      expect(result.checked).toBe(truth.size);
      expect(codes).not.toContain('IDEM014');
      expect(classify(pipeline).strategy.id).toBe('aggregates-sor');
    });
  }
});

describe('idemflow repair, event time before the archive (the CLI, as reported)', () => {
  const cli = (order: readonly StepLetter[], input: string, args: string[]) =>
    runCli(args, { env: { STEP_ORDER: order.join(''), STEP_INPUT: input, IT_RUN_ID: 'cli' } });
  const fixture = 'test/fixtures/step-order.ts';

  it('withEventTime then archive: 2,000 lossy events repair to exactly 2,000; check calls it replay-safe only then', () => {
    const dir = tempDir();
    const input = join(dir, 'input.jsonl');
    const order: StepLetter[] = ['E', 'A'];
    const readings = orderInput(input, 2_000, 'cli');
    const store = join(dir, 'store');
    const run = cli(order, input, ['run', fixture, '--store', store, '--faults', 'loss=0.05', '-q']);
    expect(run.status, run.stderr).toBe(0);
    const truth = orderTruth(order, readings);
    expect(counts(new EmbeddedStore(store), 'order_counts_cli')).not.toEqual(truth);
    const fixed = cli(order, input, ['repair', fixture, '--store', store, '-q']);
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`2000 events, ${truth.size} rows checked`);
    const rows = counts(new EmbeddedStore(store), 'order_counts_cli');
    expect([...rows.values()].reduce((a, b) => a + b, 0)).toBe(2_000);
    expect(rows).toEqual(truth);
    expect(cli(order, input, ['check', fixture]).stdout).toContain('replay-safe');
  }, 180_000);

  it('withEventTime, map, archive: repair refuses with IDEM014, and check warns instead of calling it replay-safe', () => {
    const dir = tempDir();
    const input = join(dir, 'input.jsonl');
    const order: StepLetter[] = ['E', 'M', 'A'];
    orderInput(input, 10, 'cli');
    const refused = cli(order, input, ['repair', fixture, '--store', join(dir, 'store')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/cannot repair order-EMA: .*\(IDEM014\)/);
    const check = cli(order, input, ['check', fixture]);
    expect(check.stdout).toContain('IDEM014');
    expect(check.stdout).not.toContain('replay-safe');
  }, 120_000);
});
