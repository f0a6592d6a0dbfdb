/**
 * How Beam fires a pipeline's windows: once at the end in a bounded job; in a streaming job, early (so an
 * open window is written while the topic is idle, as the local runner writes it after each batch), at the
 * watermark and for each record within the allowed lateness, kept for the allowed lateness plus the grace.
 */
import { describe, expect, it } from 'vitest';
import { sinks, sliding, source, tumbling } from 'idemflow';
import { PipelineNode, type WindowNode } from '../../../compiler/ir/index.ts';
import { AccumulationMode_Enum, ClosingBehavior_Enum, OnTimeBehavior_Enum } from 'apache-beam/proto/beam_runner_api';
import { earlyFiringDelayMs, windowingOf } from '../../../runners/beam/window-strategy.ts';
import { windowOf } from '../../../runtime/record-path.ts';
import { Reading } from '../../helpers/fixtures.ts';

const minute = 60_000;

function windowNode(window: ReturnType<typeof tumbling>): WindowNode {
  const ir = source
    .memory<Reading>([])
    .withEventTime((r) => r.ts)
    .window(window)
    .groupBy('sensorId')
    .count()
    .sink(sinks.memory()).ir;
  expect(PipelineNode.aggregate(ir)).toBeDefined();
  return windowOf(ir)!;
}

describe('windowingOf', () => {
  const updates = windowNode(tumbling(minute, { allowedLateness: 2 * minute }));

  it('a bounded job: Beam’s default trigger, the allowed lateness as it is', () => {
    const strategy = windowingOf(updates, false, 'env');
    expect(strategy.trigger?.trigger.oneofKind).toBe('default');
    expect(strategy.allowedLateness).toBe(BigInt(2 * minute));
  });

  it('a streaming job: early firings a second after a change, one firing a late record, kept lateness + grace', () => {
    const strategy = windowingOf(updates, false, 'env', { graceMs: 5_000 });
    const trigger = strategy.trigger?.trigger;
    if (trigger?.oneofKind !== 'afterEndOfWindow') throw new Error(`trigger ${trigger?.oneofKind}`);
    const early = trigger.afterEndOfWindow.earlyFirings?.trigger;
    if (early?.oneofKind !== 'afterProcessingTime') throw new Error(`early firings ${early?.oneofKind}`);
    const delay = early.afterProcessingTime.timestampTransforms[0]?.timestampTransform;
    expect(delay).toEqual({ oneofKind: 'delay', delay: { delayMillis: BigInt(earlyFiringDelayMs) } });
    expect(trigger.afterEndOfWindow.lateFirings?.trigger).toEqual({
      oneofKind: 'elementCount',
      elementCount: { elementCount: 1 },
    });
    expect(strategy.allowedLateness).toBe(BigInt(2 * minute + 5_000));
    expect(strategy.accumulationMode).toBe(AccumulationMode_Enum.ACCUMULATING);
    expect(strategy.closingBehavior).toBe(ClosingBehavior_Enum.EMIT_IF_NONEMPTY);
    expect(strategy.onTimeBehavior).toBe(OnTimeBehavior_Enum.FIRE_IF_NONEMPTY);
  });

  it('a streaming job without a window: the global window fires a second after each change, over and over', () => {
    // The global window ends at the end of time, which an unbounded read's watermark never reaches.
    const trigger = windowingOf(undefined, false, 'env', { graceMs: 5_000 }).trigger?.trigger;
    if (trigger?.oneofKind !== 'repeat') throw new Error(`trigger ${trigger?.oneofKind}`);
    const each = trigger.repeat.subtrigger?.trigger;
    if (each?.oneofKind !== 'afterProcessingTime') throw new Error(`repeated trigger ${each?.oneofKind}`);
    expect(each.afterProcessingTime.timestampTransforms[0]?.timestampTransform).toEqual({
      oneofKind: 'delay',
      delay: { delayMillis: BigInt(earlyFiringDelayMs) },
    });
    expect(windowingOf(undefined, true, 'env', { graceMs: 0 }).accumulationMode).toBe(AccumulationMode_Enum.DISCARDING);
  });

  it("a streaming job, emit: 'final': no early firings; a counter gets what changed", () => {
    const final = windowNode(sliding(3 * minute, minute, { emit: 'final' }));
    const strategy = windowingOf(final, true, 'env', { graceMs: 0 });
    const trigger = strategy.trigger?.trigger;
    if (trigger?.oneofKind !== 'afterEndOfWindow') throw new Error(`trigger ${trigger?.oneofKind}`);
    expect(trigger.afterEndOfWindow.earlyFirings).toBeUndefined();
    expect(strategy.allowedLateness).toBe(0n);
    expect(strategy.accumulationMode).toBe(AccumulationMode_Enum.DISCARDING);
  });
});
