import type { Client } from 'cassandra-driver';
import type { SinkNode } from '../../compiler/ir/index.ts';
import { loneSurrogateAt } from '../../runtime/stored-id.ts';
import type { ArchiveIdCheck } from '../../runtime/target-connector.ts';
import { sorLayout } from './sor-layout.ts';

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

/**
 * The ids a system-of-record table cannot keep apart, by its layout: the row layout of older versions
 * stores the id in a text column (UTF-8), where each lone surrogate becomes U+FFFD, so two ids that
 * differ only there would share a row and repair would count one. The block layouts keep every id
 * apart (in their blocks' JSON, which escapes a lone surrogate, and their block keys hash it so),
 * as does a table not made yet (it is made in a block layout).
 */
export async function sorIdCheck(client: Client, sink: SinkNode): Promise<ArchiveIdCheck | undefined> {
  const [keyspace, table] = [sink.keyspace!, sink.table!];
  if ((await sorLayout(client, keyspace, table)) !== 'rows') return undefined;
  return (storedId) => {
    const at = loneSurrogateAt(storedId);
    if (at === -1) return undefined;
    return (
      `has a lone surrogate (U+${hex(storedId.charCodeAt(at))}) at position ${at}: ${keyspace}.${table} has the ` +
      'row layout of older versions, whose text column stores it as U+FFFD, so it would share a row with any id ' +
      'differing only there and repair would count one: not archived, not counted'
    );
  };
}
