import { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';

/** What a fallback to an earlier checkpoint must know about the input: where Kafka's partitions now start. */
export interface ReplayInput {
  /** Kafka only: the first offset each partition still holds. */
  readonly startOffsets?: () => Promise<ReadonlyMap<number, number>>;
}

/**
 * Why reading the input again from `from` (an earlier checkpoint's position)
 * up to `to` (the damaged one's) could change what the sinks hold, or
 * undefined when it provably cannot: every sink absorbs a write repeated,
 * and the input still holds every record from `from` on.
 */
export async function whyNotReplay(
  pipeline: PipelineNode,
  from: unknown,
  to: unknown,
  input: ReplayInput,
): Promise<string | undefined> {
  const repeats = PipelineNode.sinks(pipeline).find((s) => !s.idempotent);
  if (repeats)
    return `sink ${SinkNode.label(repeats)} (${repeats.mode}) is not idempotent: the batches read again would be written to it a second time`;
  const source = pipeline.source;
  switch (source.connector) {
    // Pure functions of their settings, or an input whose recorded bytes the source identity has just checked.
    case 'generator':
    case 'memory':
    case 'file':
      return undefined;
    case 'kafka':
      return whyNotKafka(String(source.options.topic), from, to, input);
    case 'socket':
      return `a socket source cannot be read again from an earlier point: its WAL keeps only what follows the last checkpoint`;
    case 'cassandra-table':
      return `reading table ${String(source.options.keyspace)}.${String(source.options.table)} again from an earlier page is not proven to give the same rows`;
  }
}

type Offsets = Readonly<Record<string, number>>;

async function whyNotKafka(topic: string, from: unknown, to: unknown, input: ReplayInput): Promise<string | undefined> {
  const earlier = (from ?? {}) as Offsets;
  // A partition the earlier position does not name would be read from the group's committed offsets, past the records in between.
  const unnamed = Object.keys((to ?? {}) as Offsets).filter((p) => earlier[p] === undefined);
  if (unnamed.length > 0)
    return `the earlier checkpoint names no offset for partition ${unnamed.join(', ')} of ${topic}, so its records in between could not be read again`;
  if (!input.startOffsets) return `the starts of topic ${topic}'s partitions are unknown`;
  const starts = await input.startOffsets();
  for (const [partition, offset] of Object.entries(earlier)) {
    const start = starts.get(Number(partition)) ?? 0;
    if (start > offset)
      return `partition ${partition} of ${topic} now starts at offset ${start}, past offset ${offset} where the earlier checkpoint resumes (retention deleted the records in between)`;
  }
  return undefined;
}
