/**
 * Items of `source`, each with what `start(item)` gives, in the source's
 * order, `depth` of them started ahead of the one taken: work that another
 * thread does (zlib on libuv's pool) runs while the taker works on the item
 * before. A start that fails is thrown when its item is taken, not before,
 * and never left unhandled. Memory: `depth` items and their results.
 */
export async function* inOrderAhead<T, R>(
  source: AsyncIterable<T>,
  start: (item: T) => Promise<R>,
  depth: number,
): AsyncGenerator<[T, R]> {
  const started: [T, Promise<R>][] = [];
  const begin = (item: T) => {
    const result = start(item);
    // Handled at once: a taker that stops before this item would leave its failure unhandled (awaited, it still throws).
    result.catch(() => {});
    started.push([item, result]);
  };
  for await (const item of source) {
    begin(item);
    if (started.length > depth) {
      const [taken, result] = started.shift()!;
      yield [taken, await result];
    }
  }
  while (started.length > 0) {
    const [taken, result] = started.shift()!;
    yield [taken, await result];
  }
}
