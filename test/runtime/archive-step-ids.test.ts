import { describe, expect, it } from 'vitest';
import { cassandra, source } from 'idemflow';
import { deadLetterSink } from '../../compiler/ir/index.ts';
import { compileRecordPath } from '../../runtime/record-path.ts';
import type { ArchivedEvent } from '../../runtime/record-output.ts';
import { storedId } from '../../runtime/stored-id.ts';

/** What the archive step hands on for `events` (archived under `id`): the archived events and the dead letters' reasons. */
function archiveStep(id: string | ((e: unknown) => unknown), events: readonly unknown[]) {
  const pipeline = source
    .memory<{ sensor: string }>([])
    .archive(cassandra.systemOfRecord({ keyspace: 'ks', table: 'events', id: id as 'sensor' }))
    .groupBy(() => 's')
    .count()
    .sink(cassandra.upsert({ keyspace: 'ks', table: 'n', key: { s: 'key' }, values: { n: 'value' } })).ir;
  const archived: ArchivedEvent[] = [];
  const rejected: string[] = [];
  const path = compileRecordPath(
    pipeline,
    {
      deadLetter: (_sink, reason) => rejected.push(reason),
      archive: (_sink, event) => archived.push(event),
      emit: () => {},
      aggregate: () => {},
    },
    deadLetterSink('embedded', 'dead_letters'),
    new Map(),
  );
  events.forEach((e, i) => void path(e, i));
  return { ids: archived.map((a) => storedId(a.id)), events: archived.map((a) => a.event), rejected };
}

describe('the id the archive step takes is the event’s own', () => {
  it('an id field named like a member every object inherits (__proto__, constructor) is missing unless the event holds it', () => {
    // Before: every event without its own `__proto__` was archived under Object.prototype's copy, the id "{}",
    // so the table kept one of them; `constructor` was refused as "a function".
    const owned = JSON.parse('{"__proto__":"e1","sensor":"s"}') as unknown;
    const proto = archiveStep('__proto__', [{ sensor: 'a' }, { sensor: 'b' }, owned]);
    expect(proto.ids).toEqual(['e1']);
    expect(proto.rejected).toEqual(['event id `__proto__` is missing', 'event id `__proto__` is missing']);
    const ctor = archiveStep('constructor', [{ sensor: 'a' }, { constructor: 'e2', sensor: 'b' }]);
    expect(ctor.ids).toEqual(['e2']);
    expect(ctor.rejected).toEqual(['event id `constructor` is missing']);
  });

  it('a boxed number, string or boolean id is the value JSON writes of it', () => {
    // Before: new Number(5) and new Number(6) were both copied as {}, one id "{}": one of the two events kept.
    const boxed = archiveStep('id', [
      { id: new Number(5) },
      { id: new Number(6) },
      { id: new String('x') },
      { id: new Boolean(true) },
    ]);
    expect(boxed.ids).toEqual(['5', '6', 'x', 'true']);
    expect(boxed.rejected).toEqual([]);
  });

  it('an event JSON writes nothing of (undefined) is a dead letter, not a block that does not decode', () => {
    const { ids, rejected } = archiveStep(() => 'k', [undefined, { sensor: 's' }]);
    expect(ids).toEqual(['k']);
    expect(rejected).toEqual([expect.stringMatching(/^cannot archive: the event is undefined/)]);
  });

  it('an event whose getter or toJSON throws is a dead letter, not a failure of its whole batch', () => {
    // Before: the copy's throw left the record path, failing the batch (and each replay of it).
    const lazy = {
      id: 'a',
      get total(): number {
        throw new Error('items not loaded');
      },
    };
    const badJson = {
      id: 'b',
      nested: {
        toJSON: () => {
          throw new Error('no JSON');
        },
      },
    };
    const { ids, rejected } = archiveStep('id', [lazy, badJson, { id: 'c' }]);
    expect(ids).toEqual(['c']);
    expect(rejected).toEqual([
      'reading the event to archive it threw: items not loaded',
      'reading the event to archive it threw: no JSON',
    ]);
  });

  it('an id whose copy throws (a getter of an id object) is a dead letter too', () => {
    // Before: the id's copy threw out of the record path, failing the batch.
    const id = (e: unknown) => (e as { k: unknown }).k;
    const throwing = {
      get part(): string {
        throw new Error('not loaded');
      },
    };
    const { ids, rejected } = archiveStep(id, [{ k: throwing }, { k: { part: 'p' } }]);
    expect(ids).toEqual(['{"part":"p"}']);
    expect(rejected).toEqual(['event id threw: not loaded']);
  });
});
