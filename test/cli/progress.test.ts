import { describe, expect, it } from 'vitest';
import { lagText, progressText } from '../../cli/progress.ts';
import { summary } from '../../cli/run-summary.ts';

describe('watermark lag', () => {
  const now = Date.UTC(2026, 10, 25, 12);
  it.each([
    [now - 1_500, '1.5s'],
    [now - 30 * 60_000, '30min'],
    [now - 5 * 3_600_000, '5h'],
    [now - 400 * 86_400_000, '400d'],
    [-Infinity, '—'],
  ])('%s → %s', (watermark, text) => expect(lagText(watermark, now)).toBe(text));
});

describe('a resumed run', () => {
  const p = { batch: 12, records: 6_000, eventsPerSecond: 3_000, watermark: -Infinity, stateEntries: 0 };

  it('counts its bar from the input start, so it ends full, and says where it resumed', () => {
    const text = progressText('x', { ...p, recordsRead: 10_000, resumed: { afterBatch: 4, records: 4_000 } }, 10_000);
    expect(text).toMatch(
      /^x \[█{20}\] 100% \| 10,000\/10,000 events, resumed at record 4,000 \| 3,000 ev\/s \| batch 12/,
    );
  });

  it('from a checkpoint that kept no record count: counts this run only, and names the batch', () => {
    const text = progressText('x', { ...p, resumed: { afterBatch: 4 } }, 10_000);
    expect(text).toMatch(/^x \[█{12}░{8}\] 60% \| 6,000\/10,000 events, resumed after batch 4 \| /);
  });

  it('the summary gives the batches this run made and where it resumed', () => {
    const result = {
      pipeline: 'x',
      batches: 12,
      recordsIn: 6_000,
      elapsedMs: 2_000,
      deadLetters: 0,
      late: 0,
      replays: 0,
      abandonedWrites: 0,
      rowsWritten: {},
    };
    expect(summary({ ...result, resumed: { afterBatch: 4, records: 4_000 } }).split('\n')[0]).toBe(
      'x: 6,000 records in batches 5–12 (resumed at record 4,000), 2.00 s (3,000 records/s)',
    );
    expect(summary({ ...result, batches: 4, recordsIn: 0, resumed: { afterBatch: 4 } }).split('\n')[0]).toBe(
      'x: 0 records in no new batch (resumed after batch 4), 2.00 s (0 records/s)',
    );
    expect(summary(result).split('\n')[0]).toBe('x: 6,000 records in 12 batches, 2.00 s (3,000 records/s)');
  });
});
