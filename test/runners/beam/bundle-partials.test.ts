/**
 * A count or a sum over a bounded input is pre-aggregated in each bundle
 * before Beam's grouping (runners/beam/bundle-partials.ts, ApplySteps): one
 * element a (key, window) a bundle, whose partial the grouping sums. Driven
 * here as Beam's ParDo operator drives a DoFn: startBundle, process for
 * each chunk, finishBundle. No servers needed.
 */
import { describe, expect, it } from 'vitest';
import { sinks, source, tumbling } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runTargets } from '../../../connectors/targets.ts';
import { BundlePartials } from '../../../runners/beam/bundle-partials.ts';
import { ApplySteps } from '../../../runners/beam/dofns.ts';
import {
  beamRuns,
  BeamRunContext,
  type AggregateInput,
  type InputChunk,
  type StepOutput,
} from '../../../runners/beam/run-context.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const t0 = Date.UTC(2026, 0, 1);

/** Readings of sensors s0–s2 a second apart from t0, as a file source would hand them (text), with a bad line. */
const chunks: InputChunk[] = [0, 1, 2].map((c) =>
  Array.from({ length: 150 }, (_, j) => {
    const i = c * 150 + j;
    const v =
      i === 200
        ? '{not json'
        : JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 3}`, ts: t0 + i * 1000, value: i % 7 });
    return { i, v, p: `in.jsonl:${i + 1}` };
  }),
);

function runOf(op: 'count' | 'sum'): string {
  const windowed = source
    .file('in.jsonl', { format: 'jsonl' })
    .parse(Reading)
    .withEventTime((r) => r.ts)
    .window(tumbling({ minutes: 1 }))
    .groupBy('sensorId');
  const pipeline = (op === 'count' ? windowed.count() : windowed.sum('value')).sink(sinks.memory()).ir;
  const store = new EmbeddedStore(tempDir());
  return beamRuns.open(new BeamRunContext(pipeline, { store }, runTargets(store, []), new Map()));
}

/** What a DoFn hands on over bundles of chunks, as Beam's operator collects it: process's outputs, then finishBundle's. */
function runBundles(steps: ApplySteps, bundles: readonly (readonly InputChunk[])[]): StepOutput[][] {
  return bundles.map((bundle) => {
    steps.startBundle();
    const out = bundle.flatMap((chunk) => [...steps.process(chunk)]);
    for (const element of steps.finishBundle()) out.push(element.value);
    return out;
  });
}

const aggregates = (outputs: StepOutput[]) => outputs.flatMap((o) => ('agg' in o ? [o.agg] : []));

/** The grouping's result: by (key, window end), the sum of `n` (partials), or the count of inputs (`count`). */
function grouped(inputs: AggregateInput[], by: 'n' | 'count'): Record<string, number> {
  const result: Record<string, number> = {};
  for (const { k, t, n } of inputs) result[`${k}@${t}`] = (result[`${k}@${t}`] ?? 0) + (by === 'count' ? 1 : n!);
  return result;
}

describe('pre-aggregation in the bundle before Beam groups', () => {
  it("a count: one input a key and window a bundle, and across a bundle boundary the grouping's sums are the counts", () => {
    const runId = runOf('count');
    try {
      const bundles = [[chunks[0]!], [chunks[1]!, chunks[2]!]];
      const plain = runBundles(new ApplySteps(runId), bundles).flat();
      const lifted = runBundles(new ApplySteps(runId, 'count'), bundles);
      // 450 readings a second apart: the first bundle's (0–149) fall in 3 one-minute windows, the second's (150–449)
      // in 6, of which [2m, 3m) is the first bundle's last: each bundle hands on its own partial of it.
      const perBundle = lifted.map((b) => aggregates(b).length);
      expect(perBundle).toEqual([3 * 3, 3 * 6]);
      expect(grouped(lifted.flatMap(aggregates), 'n')).toEqual(grouped(aggregates(plain), 'count'));
      expect(Object.values(grouped(lifted.flatMap(aggregates), 'n')).reduce((a, b) => a + b)).toBe(449);
      // The dead letter goes on as it is.
      const letters = lifted.flat().filter((o) => 'sink' in o);
      expect(letters).toEqual(plain.filter((o) => 'sink' in o));
      expect(letters).toHaveLength(1);
    } finally {
      beamRuns.close(runId);
    }
  });

  it('a sum: the partial sums add up to the sums of the records, window by window', () => {
    const runId = runOf('sum');
    try {
      const bundles = [[chunks[0]!, chunks[1]!], [chunks[2]!]];
      const plain = aggregates(runBundles(new ApplySteps(runId), bundles).flat());
      const lifted = runBundles(new ApplySteps(runId, 'sum'), bundles).flatMap(aggregates);
      expect(lifted.length).toBeLessThan(plain.length / 10);
      expect(grouped(lifted, 'n')).toEqual(grouped(plain, 'n'));
    } finally {
      beamRuns.close(runId);
    }
  });

  it('a bundle holding its limit of partials hands them on and starts afresh: nothing is lost or counted twice', () => {
    const partials = new BundlePartials('count', 2);
    expect(partials.add({ k: '"a"', t: 1 })).toBe(false);
    expect(partials.add({ k: '"a"', t: 1 })).toBe(false);
    expect(partials.add({ k: '"b"', t: 1 })).toBe(true);
    expect(partials.take()).toEqual([
      { k: '"a"', t: 1, n: 2 },
      { k: '"b"', t: 1, n: 1 },
    ]);
    expect(partials.add({ k: '"a"', t: 1 })).toBe(false);
    expect(partials.add({ k: '"a"', t: 2 })).toBe(true);
    expect(partials.take()).toEqual([
      { k: '"a"', t: 1, n: 1 },
      { k: '"a"', t: 2, n: 1 },
    ]);
    expect(partials.take()).toEqual([]);
    // Without a window the key alone names the partial.
    partials.add({ k: '"a"', n: 5 });
    expect(partials.take()).toEqual([{ k: '"a"', n: 1 }]);
  });
});
