import { join } from 'node:path';
import { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { tableId, type TableLookup, type TargetConnector } from '../../runtime/target-connector.ts';
import { JsonlTable } from './jsonl-table.ts';

/** The file of a `jsonl.upsert` sink: `<dir>/<table>.jsonl`. */
export const jsonlPath = (sink: SinkNode): string =>
  join(String(sink.settings?.dir), `${sink.table ?? 'unnamed'}.jsonl`);

/**
 * JSONL files as a target (`jsonl.upsert`): each sink's table is a file of its own, in the folder the
 * pipeline names, so there is nothing to configure or connect. Tables are loaded once a connector and
 * kept in memory; the file is rewritten whole on each write.
 */
export function jsonlConnector(): TargetConnector {
  const tables = new Map<string, JsonlTable>();
  const tableOf = (sink: SinkNode): JsonlTable => {
    const path = jsonlPath(sink);
    let table = tables.get(path);
    if (!table)
      tables.set(
        path,
        (table = new JsonlTable(
          path,
          sink.key.map((c) => c.column),
        )),
      );
    return table;
  };
  return {
    target: 'jsonl',
    ensureSchema: async () => undefined,
    writer: (sink) => ({ write: (ops) => tableOf(sink).write(ops) }),
    repairTarget: () => ({
      events(sink) {
        throw new RunnerError(`${SinkNode.label(sink)}: a JSONL file keeps no system of record to repair from`);
      },
      async *rows(sink) {
        // The table is held in memory already: one page.
        yield tableOf(sink).rows();
      },
      storedKey: (_sink, key) => key,
      write: async (sink, ops) => tableOf(sink).write(ops),
    }),
    async currentRows(pipeline, names) {
      const lookups = new Map<string, TableLookup>();
      for (const sink of PipelineNode.sinks(pipeline))
        if (sink.target === 'jsonl' && names.has(tableId(sink)))
          lookups.set(tableId(sink), (key) => tableOf(sink).get(key));
      return lookups;
    },
    close: async () => {},
  };
}
