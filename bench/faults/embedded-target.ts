import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { embeddedRepairTarget } from '../../runners/local/index.ts';
import type { CampaignTarget } from './run-schedule.ts';
import { campaignSender } from './socket-sender.ts';

const counts = (store: EmbeddedStore, table: string) =>
  new Map(
    store
      .table({ table })
      .rows()
      .map((r) => [JSON.stringify(r.key), Number(r.columns.n)]),
  );

/** The campaign on the embedded store: a file, the generator or a socket sender as input, everything in one folder. */
export function embeddedTarget(dir: string): CampaignTarget {
  let sender: Awaited<ReturnType<typeof campaignSender>> | undefined;
  return {
    storeDir: join(dir, 'store'),
    checkpointDir: join(dir, 'checkpoint'),
    runOptions: {},
    async place(s, events) {
      if (s.shape.input === 'socket') {
        sender = await campaignSender(events);
        return { socket: { port: sender.port, walDir: join(dir, 'wal') } };
      }
      if (s.shape.input !== 'file') return {};
      const file = join(dir, 'input.jsonl');
      writeFileSync(file, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      return { file };
    },
    rows: async (pipeline, store) => counts(new EmbeddedStore(store.dir), pipeline.sink.table!),
    async archivedIds(pipeline, store) {
      const sor = PipelineNode.systemsOfRecord(pipeline)[0]!;
      return new EmbeddedStore(store.dir)
        .table({ table: sor.table! })
        .rows()
        .map((r) => String(r.key[0]));
    },
    repairTarget: (_pipeline, store) => embeddedRepairTarget(new EmbeddedStore(store.dir)),
    cleanUp: async () => sender?.close(),
  };
}
