import { Node } from 'ts-morph';
import { tableKey } from '../../analysis/cql.ts';
import { constInitializer } from './cql-text.ts';
import type { DriverCall, SentStatement } from './driver-calls.ts';
import { documentProperties, type MapperWrite } from './mapper-writes.ts';

const jsonInsert = /^\s*INSERT\s+INTO\s+((?:"?\w+"?\.)?"?\w+"?)\s+JSON\s+(\?|:\w+)/i;

/**
 * `INSERT INTO events JSON ?` bound to `JSON.stringify(row)` of an object written out (there, or in a const):
 * the row's properties name its columns, so it is read as a Mapper document is — each property bound to the
 * key column of its name (unseen round 11, U11D e11: `{ event_id: uuidv4(), … }` went unread).
 */
export function jsonInsertOf(driverCall: DriverCall, statement: SentStatement): MapperWrite | undefined {
  const m = jsonInsert.exec(statement.cql);
  if (!m) return undefined;
  const marker = m[2] === '?' ? 0 : m[2]!.slice(1);
  const document = stringifiedObject(statement.params?.get(marker));
  return (
    document && {
      call: driverCall.call,
      name: driverCall.name,
      table: tableKey(m[1]!),
      properties: documentProperties(document),
    }
  );
}

/** The object literal of `JSON.stringify(row)` (the call or `row` held by a const). */
function stringifiedObject(param: Node | undefined) {
  const call = param && Node.isIdentifier(param) ? constInitializer(param) : param;
  if (!call || !Node.isCallExpression(call) || call.getExpression().getText() !== 'JSON.stringify') return undefined;
  const [arg] = call.getArguments();
  const document = arg && Node.isIdentifier(arg) ? constInitializer(arg) : arg;
  return document && Node.isObjectLiteralExpression(document) ? document : undefined;
}
