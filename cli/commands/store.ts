import { Command, Option } from 'commander';
import { openStore, storeOption } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function storeCommand(): Command {
  const store = new Command('store').description('Look inside the embedded store (the local stand-in for Cassandra).').exitOverride();
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
    .description('print a table\'s rows, by primary key')
    .argument('<table>', 'keyspace.table, or a table name that is unique in the store')
    .addOption(storeOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((name: string, flags: { store: string; format: string }) => {
      const s = openStore(flags.store);
      const names = s.tableNames();
      const matches = names.filter((n) => n === name || n.split('.')[1] === name);
      if (matches.length !== 1) {
        throw new UsageError(matches.length === 0 ? `no table "${name}" in ${s.dir} (tables: ${names.join(', ') || 'none'})` : `"${name}" is ambiguous: ${matches.join(', ')}`);
      }
      const [keyspace, table] = matches[0]!.split('.') as [string, string];
      const rows = s.table({ keyspace, table }).rows();
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(rows.map((r) => ({ key: r.key, ...r.columns })), undefined, 2)}\n`);
        return;
      }
      for (const r of rows) process.stdout.write(`${r.key.map(cell).join(' | ')}\t${Object.entries(r.columns).map(([c, v]) => `${c}=${cell(v)}`).join(' ')}\n`);
      process.stdout.write(`(${rows.length} rows)\n`);
    });
  return store;
}
