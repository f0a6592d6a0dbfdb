/**
 * An async iterable read ahead of its consumer, until `limit` items are held:
 * started now, consumed later (each item once, in order). Repair reads the
 * sink table this way while it reads the system of record, so the sink's
 * queries wait on the cluster at the same time as the archive's instead of
 * after them; memory holds `limit` items and at most one more (the bound repair keeps for
 * its groups). A failure of the read is thrown to the consumer. `size`
 * says how much an item counts towards the limit (a page: its rows).
 */
export function readAhead<T>(
  source: AsyncIterable<T>,
  limit: number,
  size: (item: T) => number = () => 1,
): AsyncIterable<T> & { close(): Promise<void> } {
  const iterator = source[Symbol.asyncIterator]();
  const held: T[] = [];
  let ended = false;
  let failed: { error: unknown } | undefined;
  let holding = 0;
  const filling = (async () => {
    try {
      while (holding < limit) {
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          return;
        }
        held.push(next.value);
        holding += size(next.value);
      }
    } catch (error) {
      failed = { error };
    }
  })();
  return {
    async *[Symbol.asyncIterator]() {
      await filling;
      if (failed) throw failed.error;
      // Each let go of as it is taken, so what was held is freed as it goes.
      for (let i = 0; i < held.length; i++) {
        const item = held[i]!;
        held[i] = undefined as T;
        yield item;
      }
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    },
    async close() {
      await filling;
      if (!ended) await iterator.return?.();
    },
  };
}
