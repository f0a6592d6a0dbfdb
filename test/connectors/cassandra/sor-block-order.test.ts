import { describe, expect, it } from 'vitest';
import { blockOrder } from '../../../connectors/cassandra/sor-block-order.ts';
import { idHash } from '../../../connectors/cassandra/sor-bucket.ts';
import { encodeBlocks } from '../../helpers/sor-events.ts';
import { SeededRandom } from '../../../runtime/seeded-random.ts';

/** Two ids of one idHash (found by a search over short ids): only the id itself can order them. */
function sharedHashPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `id-${i.toString(36)}`;
    const other = seen.get(idHash(id));
    if (other !== undefined) return [other, id];
    seen.set(idHash(id), id);
  }
}

/** What blockOrder promises, said the slow way: by hash, then id; each id once, its last place kept. */
function expectedOrder(ids: readonly string[], at: readonly number[]): number[] {
  const last = new Map<string, number>();
  for (const i of at) last.set(ids[i]!, i);
  return [...last.values()].sort(
    (a, b) => idHash(ids[a]!) - idHash(ids[b]!) || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0),
  );
}

describe('blockOrder: the order of a block, a function of its set of ids', () => {
  it('orders by the id hash, then the id where two share a hash, keeping the last place of each id', () => {
    const [x, y] = sharedHashPair();
    expect(idHash(x)).toBe(idHash(y));
    const random = new SeededRandom(4242);
    const pool = [x, y, 'a', 'b', '', 'é', '😀', '"', ...Array.from({ length: 200 }, (_, i) => `e${i}`)];
    for (const count of [1, 2, 5, 300, 5_000]) {
      const ids = Array.from({ length: count }, () => pool[random.int(0, pool.length - 1)]!);
      const at = ids.map((_, i) => i).filter(() => random.int(0, 3) > 0);
      expect(blockOrder(ids, at)).toEqual(expectedOrder(ids, at));
      const hashes = Uint32Array.from(ids, (id) => idHash(id));
      expect(blockOrder(ids, at, hashes)).toEqual(expectedOrder(ids, at));
    }
  });

  it('gives a partition the same blocks, keys and text, whatever order a replay delivers its events in', () => {
    const random = new SeededRandom(77);
    const events = Array.from({ length: 2_000 }, (_, i) => ({ eventId: `ev-${i}`, event: { n: i } }));
    const blocks = encodeBlocks('b', events, 8_192);
    for (let round = 0; round < 5; round++) {
      const shuffled = [...events];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      expect(encodeBlocks('b', shuffled, 8_192)).toEqual(blocks);
    }
    expect(blocks.length).toBeGreaterThan(1);
  });
});
