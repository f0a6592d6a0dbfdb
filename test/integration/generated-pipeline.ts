import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-cli.ts';

/**
 * Writes a pipeline module for `idemflow run` under test/fixtures (so that it resolves 'idemflow'):
 * 3,000 generated readings archived in `keyspace.events` and counted per sensor and minute into
 * `keyspace.counts`. Returns its path; the caller removes it.
 */
export function writeGeneratedPipeline(
  name: string,
  id: string,
  tables: { keyspace: string; events: string; counts: string },
  seed: number,
): string {
  const file = join(repoRoot, `test/fixtures/${name}-${id}.tmp.ts`);
  const { keyspace, events, counts } = tables;
  writeFileSync(
    file,
    `import { cassandra, source, tumbling } from 'idemflow';
export default source.generator({ seed: ${seed}, count: 3_000, keys: 5, intervalMs: 100 })
  .archive(cassandra.systemOfRecord({ keyspace: '${keyspace}', table: '${events}', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: '${counts}', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('${name}');
`,
  );
  return file;
}
