import { encodeBlocksAt, type Block } from '../../connectors/cassandra/sor-blocks.ts';

/** An event as a test writes it: its id beside it. */
export interface EventToArchive {
  readonly eventId: string;
  readonly event: unknown;
}

/** `encodeBlocksAt` for one partition's events given as objects, in batch order: the writer's blocks of them. */
export function encodeBlocks(bucket: string, events: readonly EventToArchive[], maxBytes?: number): Block[] {
  const batch = { ids: events.map((e) => e.eventId), events: events.map((e) => e.event) };
  return encodeBlocksAt(
    bucket,
    batch,
    events.map((_, i) => i),
    maxBytes,
  );
}
