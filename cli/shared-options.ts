import { resolve } from 'node:path';
import { Option } from 'commander';
import { EmbeddedStore } from '../connectors/embedded/store.ts';
import type { LoadedPipeline } from './load-pipelines.ts';
import { UsageError } from './usage-error.ts';

export const defaultStoreDir = process.env.IDEMFLOW_STORE ?? '.idemflow/store';

export const storeOption = () =>
  new Option(
    '--store <dir>',
    'folder of the embedded store (used for Cassandra tables when no Cassandra is configured)',
  ).default(defaultStoreDir);
export const cassandraOption = () =>
  new Option(
    '--cassandra <host:port,…>',
    'write Cassandra sinks to this cluster (default: IDEMFLOW_CASSANDRA; without either, the embedded store). Credentials: IDEMFLOW_CASSANDRA_USERNAME / _PASSWORD; TLS: IDEMFLOW_CASSANDRA_TLS_CA / _CERT / _KEY (docs/connectors.md)',
  );
export const pipelineOption = () =>
  new Option('-p, --pipeline <name>', 'which pipeline, when the file exports several');

export function openStore(dir: string): EmbeddedStore {
  return new EmbeddedStore(resolve(dir));
}

/** The one pipeline a command works on: the only one in the file, or the one named. */
export function pickPipeline(loaded: readonly LoadedPipeline[], name: string | undefined): LoadedPipeline {
  const names = loaded.map((p) => p.pipeline.name);
  if (name !== undefined) {
    const found = loaded.find((p) => p.pipeline.name === name || p.exportName === name);
    if (!found) throw new UsageError(`no pipeline named "${name}" (found: ${names.join(', ')})`);
    return found;
  }
  if (loaded.length > 1)
    throw new UsageError(
      `the file exports ${loaded.length} pipelines (${names.join(', ')}); choose one with --pipeline`,
    );
  return loaded[0]!;
}

export function parseInteger(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`${name} must be a whole number >= ${min}, got "${value}"`);
    return n;
  };
}
