import { describe, expect, it } from 'vitest';
import { blockBytes, cutBlocks } from '../../../connectors/cassandra/sor-blocks.ts';

describe('cutBlocks', () => {
  it('keeps each block within blockBytes also when ids are mostly JSON escapes (control characters: 6 bytes each)', () => {
    const events = Array.from({ length: 400 }, (_, i) => ({
      eventId: `${String(i).padStart(4, '0')}${'\u0001'.repeat(1_000)}`,
      json: '{"v":1}',
    }));
    const blocks = cutBlocks('b', events);
    // Was 776,194 bytes: the size estimate took the id's raw length, not its JSON.
    for (const b of blocks) expect(b.bytes).toBeLessThanOrEqual(blockBytes);
    expect(blocks.reduce((n, b) => n + b.n, 0)).toBe(400);
    const stored = blocks.flatMap((b) => (JSON.parse(b.events) as [string][]).map(([id]) => id));
    expect(stored.sort()).toEqual(events.map((e) => e.eventId));
  });
});
