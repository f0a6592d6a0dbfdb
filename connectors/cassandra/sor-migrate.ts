import type { Client } from 'cassandra-driver';
import { SinkNode, type PipelineNode } from '../../compiler/ir/index.ts';
import { UserFacingError } from '../../runtime/user-facing-error.ts';
import type { UndecodableBlock } from './sor-blocks.ts';
import { systemOfRecordPartitions } from './sor-reader.ts';
import { tableWriterOf } from './table-writer.ts';

/** Events handed to the archive's writer at once: a stream's batch, blocks of the same size. */
const eventsAWrite = 20_000;

/** A system-of-record table to copy from. */
export interface ArchiveTable {
  readonly keyspace: string;
  readonly table: string;
}

/** Why a copy stops: a block of the table copied from does not decode, and its events would be left behind. */
const refusedForBlock = (error: UndecodableBlock) =>
  new UserFacingError(
    `migrate stops: ${error.message}; its events would be missing from the copy. Restore the block, or delete it if its events are archived again elsewhere, then migrate again (a copy run again writes nothing twice)`,
  );

/**
 * Copies every event of a system-of-record table, whatever its layout (rows,
 * text blocks, deflated blocks), into the table `pipeline` archives into, in
 * that table's layout and partitions, as its stream would have archived them:
 * each id once, the copy every reader keeps (see sor-reader.ts), under its
 * id as stored. So a pipeline moved to a new table keeps one archive that
 * repair reads whole. Idempotent: a copy run again (after a kill, or to take
 * events the old table got meanwhile) writes the same events again, which
 * readers count once (the same blocks, when nothing was added). A block of
 * the old table that does not decode stops the copy, naming it.
 */
export async function migrateArchive(
  client: Client,
  pipeline: PipelineNode,
  from: ArchiveTable,
  onProgress: (events: number) => void = () => {},
): Promise<{ readonly events: number; readonly into: string }> {
  const sor = firstArchive(pipeline);
  if (sor.keyspace === from.keyspace && sor.table === from.table)
    throw new UserFacingError(
      `migrate: ${from.keyspace}.${from.table} is the table ${pipeline.name} archives into already`,
    );
  const writer = tableWriterOf(client, sor, pipeline);
  let [ids, events, copied] = [[] as string[], [] as unknown[], 0];
  const write = async () => {
    await writer.archive(ids, events);
    copied += ids.length;
    onProgress(copied);
    [ids, events] = [[], []];
  };
  const onBadBlock = (error: UndecodableBlock) => {
    throw refusedForBlock(error);
  };
  for await (const partition of systemOfRecordPartitions(client, from.keyspace, from.table, { onBadBlock })) {
    for (const run of partition.runs) {
      const decoded = run.events() ?? [];
      for (let i = 0; i < decoded.length; i++) {
        ids.push(run.ids[i]!);
        events.push(decoded[i]);
      }
    }
    if (ids.length >= eventsAWrite) await write();
  }
  if (ids.length > 0) await write();
  return { events: copied, into: SinkNode.label(sor) };
}

/** The system of record repair reads: the pipeline's first archive (a Cassandra one). */
function firstArchive(pipeline: PipelineNode): SinkNode {
  const step = pipeline.steps.find((s) => s.kind === 'Archive');
  if (!step || step.kind !== 'Archive' || step.sink.target !== 'cassandra')
    throw new UserFacingError(
      `migrate: ${pipeline.name} archives into no Cassandra system of record (IDEM006); migrate copies an archive into the one it has`,
    );
  return step.sink;
}
