import { describe, expect, it } from 'vitest';
import { WindowNode } from '../../../compiler/ir/index.ts';
import { AggregationState } from '../../../runners/local/aggregation-state.ts';
import { aggregatorFor } from '../../../runtime/aggregators.ts';
import { AggregateNode } from '../../../compiler/ir/index.ts';

const minute = 60_000;
const state = () =>
  new AggregationState(
    aggregatorFor(AggregateNode.create({ op: 'count' })),
    WindowNode.create({ type: 'tumbling', sizeMs: minute, slideMs: minute, allowedLatenessMs: 0 }),
    false,
  );

describe('watermark across splits (Kafka partitions)', () => {
  it('follows the slowest split that still has records pending', () => {
    const s = state();
    s.add('k', 10 * minute, {}, 0); // partition 0 is far ahead
    s.add('k', 1 * minute, {}, 1);
    s.advanceWatermark([0, 1]);
    expect(s.watermark).toBe(1 * minute);
    // Partition 1's later events are not late: its window is still open.
    expect(s.add('k', 2 * minute + 5, {}, 1)).toEqual([]);
  });

  it('is held at -∞ by a pending split not read yet, and moves on once nothing is pending', () => {
    const s = state();
    s.add('k', 10 * minute, {}, 0);
    s.advanceWatermark([0, 1]);
    expect(s.watermark).toBe(-Infinity);
    s.advanceWatermark([]);
    expect(s.watermark).toBe(10 * minute);
    expect(s.add('k', 1 * minute, {}, 1)).toEqual([1 * minute]); // now genuinely late
  });

  it('never moves back', () => {
    const s = state();
    s.add('k', 5 * minute, {}, 0);
    s.advanceWatermark([]);
    s.add('k', 6 * minute, {}, 1);
    s.advanceWatermark([1, 2]);
    expect(s.watermark).toBe(5 * minute);
  });
});
