import { describe, expect, it } from 'vitest';
import { archivedCopy, Unarchivable } from '../../runtime/archived-copy.ts';

const reasonOf = (event: unknown) => {
  const copy = archivedCopy(event);
  return copy instanceof Unarchivable ? copy.reason : undefined;
};

describe('archivedCopy: the event as the archive keeps it', () => {
  it('writes the same JSON as the event, shares no object with it, and keeps Dates and toJSON as JSON does', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const money = { toJSON: () => ({ cents: 125 }) };
    const event = {
      id: 'e1',
      n: 1,
      gone: undefined,
      nested: { list: [1, 'a', null, { deep: true }], at: new Date(1_704_067_200_000) },
      point: new Point(1, 2),
      money,
      holes: [undefined, 2],
    };
    const copy = archivedCopy(event) as typeof event;
    expect(JSON.stringify(copy)).toBe(JSON.stringify(event));
    expect(copy.nested).not.toBe(event.nested);
    expect(copy.nested.list[3]).not.toBe(event.nested.list[3]);
    expect(copy.nested.at).toEqual(event.nested.at);
    expect(copy.nested.at).not.toBe(event.nested.at);
    event.n = 2;
    (event.nested.list[3] as { deep: boolean }).deep = false;
    expect(copy).toMatchObject({ n: 1, nested: { list: [1, 'a', null, { deep: true }] } });
  });

  it('copies a boxed number, string or boolean as the value JSON writes of it (not as {} or its characters)', () => {
    const event = { n: new Number(5), s: new String('xy'), b: new Boolean(false), list: [new Number(1)] };
    const copy = archivedCopy(event);
    expect(copy).toEqual({ n: 5, s: 'xy', b: false, list: [1] });
    expect(JSON.stringify(copy)).toBe(JSON.stringify(event));
    expect(reasonOf({ big: Object(1n) })).toMatch(/^cannot archive: field `big` is a BigInt/);
    expect(reasonOf({ nan: new Number(Number.NaN) })).toMatch(/field `nan` is NaN \(JSON writes null\)/);
  });

  it('the same object twice (not a cycle) is copied twice', () => {
    const shared = { a: 1 };
    expect(JSON.stringify(archivedCopy({ x: shared, y: [shared, shared] }))).toBe(
      '{"x":{"a":1},"y":[{"a":1},{"a":1}]}',
    );
  });

  it('finds every cycle, at the top, through arrays and deep down, and copies shared objects that are not one', () => {
    const me: Record<string, unknown> = { id: 'm' };
    me.me = me;
    const list: unknown[] = [1];
    list.push({ in: list });
    const deep: Record<string, unknown> = { a: { b: { c: [{ d: {} }] } } };
    (
      (((deep.a as Record<string, unknown>).b as Record<string, unknown>).c as unknown[])[0] as Record<string, unknown>
    ).d = deep.a;
    expect(reasonOf(me)).toMatch(/field `me` is a reference back/);
    expect(reasonOf(list)).toMatch(/field `\[1\]\.in` is a reference back/);
    expect(reasonOf({ wrap: list })).toMatch(/field `wrap\[1\]\.in` is a reference back/);
    expect(reasonOf(deep)).toMatch(/field `a\.b\.c\[0\]\.d` is a reference back/);
    // Siblings sharing one object, at several depths, are no cycle: each is copied.
    const leaf = { v: 1 };
    const sideBySide = { a: { x: leaf, y: leaf }, b: [leaf, { z: leaf }], c: leaf };
    expect(archivedCopy(sideBySide)).toEqual(sideBySide);
  });

  it('names the field and the type of every value JSON does not keep as it is', () => {
    const cyclic: Record<string, unknown> = { id: 'c' };
    cyclic.self = { back: cyclic };
    expect(reasonOf({ big: 1n })).toMatch(/^cannot archive: field `big` is a BigInt/);
    expect(reasonOf({ a: { b: [0, { c: new Set() }] } })).toMatch(/field `a\.b\[1\]\.c` is a Set/);
    expect(reasonOf({ m: [[new Map()]] })).toMatch(/field `m\[0\]\[0\]` is a Map/);
    expect(reasonOf({ bytes: new Uint8Array(2) })).toMatch(/field `bytes` is a Uint8Array/);
    expect(reasonOf({ x: Number.POSITIVE_INFINITY })).toMatch(/field `x` is Infinity \(JSON writes null\)/);
    expect(reasonOf({ when: new Date(Number.NaN) })).toMatch(/field `when` is an invalid Date/);
    expect(reasonOf({ f: () => 1 })).toMatch(/field `f` is a function/);
    expect(reasonOf(cyclic)).toMatch(/field `self\.back` is a reference back/);
    expect(reasonOf(5n)).toMatch(/^cannot archive: the event is a BigInt/);
  });
});
