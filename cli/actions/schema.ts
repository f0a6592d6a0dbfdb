import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { openCassandra } from '../../connectors/cassandra/connector.ts';
import { loadAll } from '../load-pipelines.ts';
import { pickPipeline } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

export async function schemaAction(
  file: string,
  flags: { pipeline?: string; apply: boolean; cassandra?: string },
): Promise<void> {
  const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
  const statements = schemaCql(tableSchemas(pipeline.ir));
  if (statements.length === 0) throw new UsageError(`${file}: the pipeline writes no Cassandra tables`);
  process.stdout.write(`${statements.map((s) => `${s};`).join('\n')}\n`);
  if (!flags.apply) return;
  const cassandra = await openCassandra(flags.cassandra ?? process.env.IDEMFLOW_CASSANDRA ?? '127.0.0.1:9042');
  try {
    const done = await cassandra?.ensureSchema(pipeline.ir);
    if (done) process.stderr.write(`${done}\n`);
  } finally {
    await cassandra?.close();
  }
}
