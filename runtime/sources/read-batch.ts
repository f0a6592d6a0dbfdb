import type { SourceBatch, SourceReader } from './source-reader.ts';

export interface BatchingOptions {
  readonly batchSize: number;
  /** A bounded source fills a batch at once. */
  readonly bounded: boolean;
  /** Streaming sources: a batch closes this long after its first record. */
  readonly intervalMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * A micro-batch: bounded sources fill it at once; streaming ones fill it
 * until it holds `batchSize` records, `intervalMs` has passed since its first
 * record, or the input ends. A batch assembled from several reads answers
 * for each record as the read that delivered it: its position, and its split
 * (Kafka partition), which the watermark needs — without the splits it would
 * follow the fastest partition and turn the slower one's records late (found
 * when faster processing left the consumer's buffer short, so batches were
 * assembled from several reads).
 */
export async function readBatch(reader: SourceReader, o: BatchingOptions): Promise<SourceBatch> {
  const first = await reader.read(o.batchSize);
  if (o.bounded || first.done || first.values.length === 0 || first.values.length >= o.batchSize) return first;
  const parts = [first];
  let count = first.values.length;
  let last = first;
  const deadline = performance.now() + o.intervalMs;
  while (count < o.batchSize && !last.done && performance.now() < deadline && !o.signal?.aborted) {
    await o.sleep(Math.min(20, Math.max(1, deadline - performance.now())));
    last = await reader.read(o.batchSize - count);
    if (last.values.length > 0) parts.push(last);
    count += last.values.length;
  }
  return joinBatches(parts, last);
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads `reader` in batches until `finished` says so, keeping each value's position: a bounded input read
 * whole (the Beam runner's). `finished` sees each read: whether the input said it was done, and how many
 * values it brought; after an empty read it waits 20 ms before asking again.
 */
export async function readUntil(
  reader: SourceReader,
  finished: (last: { readonly done: boolean; readonly count: number }) => boolean,
): Promise<SourceBatch> {
  const parts: SourceBatch[] = [];
  for (;;) {
    const batch = await reader.read(10_000);
    if (batch.values.length > 0) parts.push(batch);
    if (finished({ done: batch.done, count: batch.values.length })) return joinBatches(parts, batch);
    if (batch.values.length === 0) await pause(20);
  }
}

/**
 * Several reads as one batch, each record answering as the read that
 * delivered it (position, split); `last` (the final read, possibly empty)
 * says whether the input is done and which splits are still pending.
 */
export function joinBatches(parts: readonly SourceBatch[], last: SourceBatch): SourceBatch {
  const starts: number[] = [];
  let total = 0;
  for (const p of parts) {
    starts.push(total);
    total += p.values.length;
  }
  const at = (index: number): [SourceBatch, number] => {
    const part = starts.findLastIndex((start) => start <= index);
    return [parts[part]!, index - starts[part]!];
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called back with its reader as this (pendingSplits.call(last))
  const pendingSplits = last.pendingSplits;
  return {
    values: parts.flatMap((p) => p.values),
    position: (index) => {
      const [part, i] = at(index);
      return part.position(i);
    },
    // eslint-disable-next-line @typescript-eslint/unbound-method -- split is tested for presence here, not called
    ...(parts.every((p) => p.split)
      ? {
          split: (index: number) => {
            const [part, i] = at(index);
            return part.split!(i);
          },
        }
      : {}),
    ...(pendingSplits ? { pendingSplits: () => pendingSplits.call(last) } : {}),
    done: last.done,
  };
}
