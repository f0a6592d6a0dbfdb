import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { StoreError } from '../../../connectors/embedded/table-log.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('embedded store', () => {
  it('upserts are last-write-wins per primary key and merge the columns they name', () => {
    const store = new EmbeddedStore(tempDir());
    const t = store.table({ keyspace: 'k', table: 't' });
    t.write([
      { op: 'upsert', k: ['s1', 0], v: { n: 1, note: 'a' } },
      { op: 'upsert', k: ['s1', 0], v: { n: 5 } },
      { op: 'upsert', k: ['s2', 0], v: { n: 2 } },
    ]);
    expect(t.get(['s1', 0])).toEqual({ n: 5, note: 'a' });
    expect(t.size).toBe(2);
  });

  it('counters add deltas', () => {
    const t = new EmbeddedStore(tempDir()).table({ table: 'c' });
    t.write([
      { op: 'add', k: ['x'], c: 'visits', d: 2 },
      { op: 'add', k: ['x'], c: 'visits', d: 3 },
    ]);
    expect(t.get(['x'])).toEqual({ visits: 5 });
  });

  it('survives a reopen, and drops a torn last line that was never acknowledged', () => {
    const dir = tempDir();
    const t = new EmbeddedStore(dir).table({ table: 't' });
    t.write([{ op: 'upsert', k: [1], v: { n: 1 } }]);
    appendFileSync(t.path, '{"op":"upsert","k":[2],"v":{"n"');
    const reopened = new EmbeddedStore(dir).table({ table: 't' });
    expect(reopened.rows()).toEqual([{ key: [1], columns: { n: 1 } }]);
  });

  it('cuts a torn tail off before its first append, so the append is not glued onto it (finding 5)', () => {
    const dir = tempDir();
    const t = new EmbeddedStore(dir).table({ table: 't' });
    t.write([{ op: 'upsert', k: [1], v: { n: 1 } }]);
    // A torn line longer than the 64 KiB the cut reads backwards at a time.
    appendFileSync(t.path, `{"op":"upsert","k":[2],"v":{"s":"${'x'.repeat(200_000)}`);
    new EmbeddedStore(dir).table({ table: 't' }).write([{ op: 'upsert', k: [3], v: { n: 3 } }]);
    expect(readFileSync(t.path, 'utf8')).toBe(
      '{"op":"upsert","k":[1],"v":{"n":1}}\n{"op":"upsert","k":[3],"v":{"n":3}}\n',
    );
    expect(new EmbeddedStore(dir).table({ table: 't' }).rows()).toEqual([
      { key: [1], columns: { n: 1 } },
      { key: [3], columns: { n: 3 } },
    ]);
  });

  it('a log that is one torn line is cut to nothing', () => {
    const dir = tempDir();
    const path = new EmbeddedStore(dir).table({ table: 't' }).path;
    writeFileSync(path, '{"op":"add","k":[1],"c":"n","d"');
    new EmbeddedStore(dir).table({ table: 't' }).write([{ op: 'add', k: [1], c: 'n', d: 2 }]);
    expect(readFileSync(path, 'utf8')).toBe('{"op":"add","k":[1],"c":"n","d":2}\n');
  });

  it('reads a log poisoned by an earlier version (a torn line with the next op glued on): the acknowledged op is kept', () => {
    const dir = tempDir();
    const path = new EmbeddedStore(dir).table({ table: 't' }).path;
    writeFileSync(
      path,
      '{"op":"upsert","k":[1],"v":{"n":1}}\n{"op":"upsert","k":["e9{"op":"upsert","k":[2],"v":{"op":{"n":2}}}\n{"op":"upsert","k":[3],"v":{"n":3}}\n',
    );
    expect(
      new EmbeddedStore(dir)
        .table({ table: 't' })
        .rows()
        .map((r) => r.key),
    ).toEqual([[1], [2], [3]]);
  });

  it('a line it cannot explain is an error naming the file and line, not a JSON syntax error', () => {
    const dir = tempDir();
    const path = new EmbeddedStore(dir).table({ table: 't' }).path;
    writeFileSync(path, '{"op":"upsert","k":[1],"v":{"n":1}}\nnot json\n{"op":"upsert","k":[3],"v":{"n":3}}\n');
    expect(() => new EmbeddedStore(dir).table({ table: 't' })).toThrow(StoreError);
    expect(() => new EmbeddedStore(dir).table({ table: 't' })).toThrow(`${path}:2 is not a table operation (not json)`);
  });

  it('compacts its log to one line a row without changing the contents', () => {
    const dir = tempDir();
    const t = new EmbeddedStore(dir).table({ table: 't' });
    for (let i = 0; i < 50; i++)
      t.write([
        { op: 'add', k: ['a'], c: 'n', d: 1 },
        { op: 'upsert', k: ['b'], v: { v: i } },
      ]);
    t.compact();
    expect(readFileSync(t.path, 'utf8').trim().split('\n')).toHaveLength(2);
    const reopened = new EmbeddedStore(dir).table({ table: 't' });
    expect(reopened.get(['a'])).toEqual({ n: 50 });
    expect(reopened.get(['b'])).toEqual({ v: 49 });
  });

  it('lists tables on disk', () => {
    const store = new EmbeddedStore(tempDir());
    store.table({ keyspace: 'k', table: 'b' }).write([{ op: 'upsert', k: [1], v: {} }]);
    store.table({ table: 'a' }).write([{ op: 'upsert', k: [1], v: {} }]);
    expect(store.tableNames()).toEqual(['embedded.a', 'k.b']);
  });
});
