import { describe, expect, it } from 'vitest';
import { cassandra, source } from 'idemflow';
import { deadLetterSink, PipelineNode } from '../../compiler/ir/index.ts';
import { compileRecordPath } from '../../runtime/record-path.ts';
import type { ArchivedEvent } from '../../runtime/record-output.ts';
import { loneSurrogateAt, storedId } from '../../runtime/stored-id.ts';

describe('storedId: the one text an event id is stored and looked up as', () => {
  it('a string is itself; any other id is its JSON', () => {
    expect(storedId('e1')).toBe('e1');
    expect(storedId('x\uD800')).toBe('x\uD800');
    expect(storedId(42)).toBe('42');
    expect(storedId(true)).toBe('true');
    expect(storedId(new Date(Date.UTC(2024, 0, 1)))).toBe('"2024-01-01T00:00:00.000Z"');
    expect(storedId({ a: 1, b: 'x' })).toBe('{"a":1,"b":"x"}');
    expect(storedId(['x', 1])).toBe('["x",1]');
    // In an object JSON escapes a lone surrogate, so the text is well formed.
    expect(storedId({ a: '\uD800' })).toBe('{"a":"\\ud800"}');
  });
  it('an id JSON cannot write has no text (the archive step dead-letters it first)', () => {
    expect(() => storedId(() => 1)).toThrow(/an event id of type function has no stored text/);
    expect(() => storedId(Symbol('s'))).toThrow(/of type symbol/);
  });
});

describe('loneSurrogateAt', () => {
  it('the first half of a pair with no other half, by UTF-16 position; -1 for well-formed text', () => {
    expect(loneSurrogateAt('abc')).toBe(-1);
    expect(loneSurrogateAt('\uD83D\uDE00 emoji')).toBe(-1);
    expect(loneSurrogateAt('a\uD800')).toBe(1);
    expect(loneSurrogateAt('a\uD800b')).toBe(1);
    expect(loneSurrogateAt('ab\uDC00')).toBe(2);
    expect(loneSurrogateAt('\uD83D\uDE00\uDE00')).toBe(2);
    expect(loneSurrogateAt('\uD800\uD800\uDC00')).toBe(0);
    expect(loneSurrogateAt('\uDBFF\uDFFF')).toBe(-1);
  });
});

describe('the archive step asks the table whether it keeps an id apart, before the record is counted', () => {
  const pipeline = source
    .memory<{ id: unknown; sensor: string }>([])
    .archive(cassandra.systemOfRecord({ keyspace: 'ks', table: 'events', id: 'id' }))
    .groupBy('sensor')
    .count()
    .sink(cassandra.upsert({ keyspace: 'ks', table: 'n', key: { s: 'key' }, values: { n: 'value' } })).ir;
  const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;

  it("an id its check refuses is a dead letter with the check's words; others are archived under their id", () => {
    const archived: ArchivedEvent[] = [];
    const rejected: string[] = [];
    const counted: unknown[] = [];
    const asked: string[] = [];
    const check = (text: string) => (asked.push(text), text.startsWith('bad') ? 'is refused here' : undefined);
    const path = compileRecordPath(
      pipeline,
      {
        deadLetter: (_sink, reason) => rejected.push(reason),
        archive: (_sink, event) => archived.push(event),
        emit: () => {},
        aggregate: (key) => counted.push(key),
      },
      deadLetterSink('embedded', 'dead_letters'),
      new Map([[sor, check]]),
    );
    for (const [i, id] of ['ok', 'bad1', 7, { k: 1 }].entries()) void path({ id, sensor: 's' }, i);
    expect(asked).toEqual(['ok', 'bad1', '7', '{"k":1}']);
    expect(rejected).toEqual(['cannot archive: event id `id` is refused here']);
    expect(archived.map((a) => a.id)).toEqual(['ok', 7, { k: 1 }]);
    expect(counted).toHaveLength(3);
  });
});
