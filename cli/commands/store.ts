import { Command, Option } from 'commander';
import { openStore, storeOption } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

// Integers between 2000-01-01 and 2100-01-01 in a key, or in a column named for a time, are epoch milliseconds.
const epochMs = { min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) };
const timeColumn = /^(ts|time|timestamp|at)$|time|_at$|^window/i;
const isEpochMs = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= epochMs.min && v < epochMs.max;

/** A value as the table format shows it: timestamps in ISO 8601 (UTC), strings bare, the rest as JSON. */
function cell(v: unknown, timestamp: boolean): string {
  if (timestamp && isEpochMs(v)) return new Date(v as number).toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Rows as aligned columns under a header: the primary key's parts, then every column any row has. */
export function formatTable(
  rows: readonly { key: readonly unknown[]; columns: Readonly<Record<string, unknown>> }[],
): string {
  const keyParts = Math.max(...rows.map((r) => r.key.length));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.columns)))].sort();
  const header = [...Array.from({ length: keyParts }, (_, i) => (keyParts === 1 ? 'key' : `key[${i}]`)), ...columns];
  const body = rows.map((r) => [
    ...Array.from({ length: keyParts }, (_, i) => (i < r.key.length ? cell(r.key[i], true) : '')),
    ...columns.map((c) => (c in r.columns ? cell(r.columns[c], timeColumn.test(c)) : '')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  return [header, ...body]
    .map((line) =>
      line
        .map((v, i) => v.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function storeCommand(): Command {
  const store = new Command('store')
    .description('Look inside the embedded store (the local stand-in for Cassandra).')
    .exitOverride();
  store
    .command('list')
    .description('tables and their row counts')
    .addOption(storeOption())
    .action((flags: { store: string }) => {
      const s = openStore(flags.store);
      const names = s.tableNames();
      if (names.length === 0) process.stdout.write(`no tables in ${s.dir}\n`);
      for (const name of names) {
        const [keyspace, table] = name.split('.') as [string, string];
        const t = s.table({ keyspace, table });
        process.stdout.write(`${name}\t${t.size} rows\t${t.bytes()} bytes\n`);
      }
    });
  store
    .command('dump')
    .description(
      "print a table's rows, by primary key, under a header; timestamps (epoch milliseconds in keys and time columns) in ISO 8601 UTC; --format json keeps raw values",
    )
    .argument('<table>', 'keyspace.table, or a table name that is unique in the store')
    .addOption(storeOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((name: string, flags: { store: string; format: string }) => {
      const s = openStore(flags.store);
      const names = s.tableNames();
      const matches = names.filter((n) => n === name || n.split('.')[1] === name);
      if (matches.length !== 1) {
        throw new UsageError(
          matches.length === 0
            ? `no table "${name}" in ${s.dir} (tables: ${names.join(', ') || 'none'})`
            : `"${name}" is ambiguous: ${matches.join(', ')}`,
        );
      }
      const [keyspace, table] = matches[0]!.split('.') as [string, string];
      const rows = s.table({ keyspace, table }).rows();
      if (flags.format === 'json') {
        process.stdout.write(
          `${JSON.stringify(
            rows.map((r) => ({ key: r.key, ...r.columns })),
            undefined,
            2,
          )}\n`,
        );
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`${matches[0]} is empty (0 rows)\n`);
        return;
      }
      process.stdout.write(`${formatTable(rows)}\n(${rows.length} rows; times in UTC, ISO 8601)\n`);
    });
  return store;
}
