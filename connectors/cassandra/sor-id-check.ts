import type { Client } from 'cassandra-driver';
import type { SinkNode } from '../../compiler/ir/index.ts';
import { loneSurrogateAt } from '../../runtime/stored-id.ts';
import type { ArchiveIdCheck } from '../../runtime/target-connector.ts';
import { sorLayout } from './sor-layout.ts';

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

/** The longest value a Cassandra key column takes, in bytes: the row layout's event id is one. */
const maxKeyBytes = 65_535;

/**
 * The ids a system-of-record table cannot keep apart, by its layout: the row layout of older versions
 * stores the id in a text column (UTF-8), where each lone surrogate becomes U+FFFD, so two ids that
 * differ only there would share a row and repair would count one; and an id past a key's 65,535 bytes
 * is refused by Cassandra, failing its batch for good. The block layouts keep every id
 * apart (in their blocks' JSON, which escapes a lone surrogate, and their block keys hash it so),
 * as does a table not made yet (it is made in a block layout).
 */
export async function sorIdCheck(client: Client, sink: SinkNode): Promise<ArchiveIdCheck | undefined> {
  const [keyspace, table] = [sink.keyspace!, sink.table!];
  if ((await sorLayout(client, keyspace, table)) !== 'rows') return undefined;
  return (storedId) => {
    // Three bytes of UTF-8 at most a UTF-16 unit: only an id that long can pass the key's limit.
    if (storedId.length * 3 > maxKeyBytes && Buffer.byteLength(storedId) > maxKeyBytes)
      return (
        `is ${Buffer.byteLength(storedId)} bytes of UTF-8: ${keyspace}.${table} has the row layout of older ` +
        `versions, whose key column holds at most ${maxKeyBytes} bytes (Cassandra refuses the write, and the ` +
        'batch would fail on every replay): not archived, not counted'
      );
    const at = loneSurrogateAt(storedId);
    if (at === -1) return undefined;
    return (
      `has a lone surrogate (U+${hex(storedId.charCodeAt(at))}) at position ${at}: ${keyspace}.${table} has the ` +
      'row layout of older versions, whose text column stores it as U+FFFD, so it would share a row with any id ' +
      'differing only there and repair would count one: not archived, not counted'
    );
  };
}
