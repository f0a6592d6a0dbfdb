import { describe, expect, it } from 'vitest';
import { sinks, sliding, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const quiet = { log: () => {}, sleep: async () => {} };
const minute = 60_000;
const at = (m: number, s = 0) => m * minute + s * 1_000;

interface Ping {
  readonly id: string;
  readonly ts: number;
}

function run(pings: readonly Ping[]) {
  const store = new EmbeddedStore(tempDir());
  // Windows of 3 minutes starting every minute: each ping is in three. One ping a batch, so the watermark moves with each.
  const p = source
    .memory(pings)
    .withEventTime((e) => e.ts)
    .window(sliding(3 * minute, minute))
    .groupBy(() => 'k')
    .count()
    .sink(sinks.memory());
  return runLocal(p.ir, { store, batchSize: 1, ...quiet }).then((result) => ({
    result,
    letters: store
      .table({ table: 'dead_letters' })
      .rows()
      .map((r) => ({ position: r.key[0], reason: r.columns.reason })),
    counts: new Map(
      [...result.memory.get('memory')!.values()].map((r) => [
        (r as { windowStart: number }).windowStart,
        (r as { value: number }).value,
      ]),
    ),
  }));
}

describe('sliding windows: an event late for some of its windows and on time for others', () => {
  it('counts in the open ones; the closed part is a dead letter naming those windows, counted in late', async () => {
    // After the ping at 4:00 the windows starting at 1:00 and before are closed; the one at 2:00 is open.
    const { result, letters, counts } = await run([
      { id: 'a', ts: at(0, 30) },
      { id: 'b', ts: at(4) },
      { id: 'c', ts: at(2, 30) },
    ]);
    expect(result.late).toBe(1);
    expect(letters).toEqual([
      {
        position: 'memory#2',
        reason:
          'late for 2 of its 3 windows, [1970-01-01T00:00:00.000Z, 1970-01-01T00:03:00.000Z), [1970-01-01T00:01:00.000Z, 1970-01-01T00:04:00.000Z): event time 1970-01-01T00:02:30.000Z is behind the watermark 1970-01-01T00:04:00.000Z minus the allowed lateness; counted in the other 1',
      },
    ]);
    expect(counts.get(at(2))).toBe(2); // b and c
    expect(counts.get(at(0))).toBe(1); // a only: c came after it closed
    expect(counts.get(at(1))).toBeUndefined(); // never held anything before it closed
  });

  it('an event late for all of its windows is late as a whole; one on time for all is no dead letter', async () => {
    const { result, letters, counts } = await run([
      { id: 'a', ts: at(4) },
      { id: 'b', ts: at(0, 10) },
      { id: 'c', ts: at(4, 30) },
    ]);
    expect(result.late).toBe(1);
    expect(letters).toEqual([
      {
        position: 'memory#1',
        reason:
          'late: event time 1970-01-01T00:00:10.000Z is behind the watermark 1970-01-01T00:04:00.000Z minus the allowed lateness',
      },
    ]);
    expect(counts.get(at(2))).toBe(2);
    expect(counts.get(at(3))).toBe(2);
  });
});
