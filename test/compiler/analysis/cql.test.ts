import { describe, expect, it } from 'vitest';
import { nondeterministicCqlFunction, parseCqlWrite, parseCreateTable } from '../../../compiler/analysis/cql.ts';

describe("the lint's CQL reader", () => {
  it('finds counter deltas and WHERE keys of an UPDATE, numbering ? markers in statement order', () => {
    const w = parseCqlWrite(
      'UPDATE ks."Counts" USING TTL 60 SET visits = visits + ?, last = ? WHERE country = ? AND day IN ?',
    )!;
    expect(w).toMatchObject({
      verb: 'update',
      table: 'Counts',
      counterDeltas: ['visits'],
      whereColumns: ['country', 'day'],
    });
    expect(w.values.map((v) => [v.column, v.marker])).toEqual([
      ['last', 1],
      ['country', 2],
      ['day', 3],
    ]);
  });

  it('reads `c = ? + c` and `c = c - 1` as deltas, `c = ?` as a value', () => {
    expect(parseCqlWrite('UPDATE t SET c = ? + c WHERE k = ?')!.counterDeltas).toEqual(['c']);
    expect(parseCqlWrite('update t set c = c - 1 where k = ?')!.counterDeltas).toEqual(['c']);
    expect(parseCqlWrite('UPDATE t SET c = ? WHERE k = ?')!.counterDeltas).toEqual([]);
  });

  it('maps INSERT columns to markers, named markers and CQL functions; ignores ? inside strings', () => {
    const w = parseCqlWrite(
      "INSERT INTO audit (id, note, actor, at) VALUES (now(), 'why?', :actor, toTimestamp(now()))",
    )!;
    expect(w.values.map((v) => [v.column, v.marker ?? v.text])).toEqual([
      ['id', 'now()'],
      ['note', "'why?'"],
      ['actor', 'actor'],
      ['at', 'toTimestamp(now())'],
    ]);
    expect(parseCqlWrite('INSERT INTO t (a, b) VALUES (?, ?)')!.values.map((v) => v.marker)).toEqual([0, 1]);
    expect(nondeterministicCqlFunction('toTimestamp(now())')).toBe('now()');
    expect(nondeterministicCqlFunction("'now'")).toBeUndefined();
  });

  it('reads primary keys from CREATE TABLE, compound, composite or inline', () => {
    expect(
      parseCreateTable('CREATE TABLE IF NOT EXISTS m.r (s text, ts timestamp, v double, PRIMARY KEY ((s, day), ts))'),
    ).toEqual({ table: 'r', primaryKey: ['s', 'day', 'ts'] });
    expect(parseCreateTable('create table t (id uuid primary key, v int)')).toEqual({ table: 't', primaryKey: ['id'] });
    expect(parseCreateTable('SELECT * FROM t')).toBeUndefined();
    expect(parseCqlWrite('SELECT * FROM t WHERE k = ?')).toBeUndefined();
  });
});
