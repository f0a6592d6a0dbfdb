import { describe, expect, it } from 'vitest';
import { parseJson, strictJsonParse } from '../../runtime/json-parse.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';

const keysOf = (value: unknown) => Object.keys(value as object);

/** Random JSON values with every kind of key and string escape, nested. */
function randomValue(random: SeededRandom, depth = 0): unknown {
  const texts = ['', 'a', '\\', '"', '\u0001', '\n', 'é', '😀', '\u2028', '__proto__', 'toString', '}', ']'];
  const pick = random.int(0, depth > 3 ? 3 : 5);
  if (pick === 0) return texts[random.int(0, texts.length - 1)]! + String(random.int(0, 9));
  if (pick === 1) return random.int(-1_000, 1_000) / 8;
  if (pick === 2) return [true, false, null][random.int(0, 2)];
  if (pick === 3) return random.int(0, 1) ? 1e21 : -0.5e-7;
  if (pick === 4) return Array.from({ length: random.int(0, 3) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = random.int(0, 4); i > 0; i--)
    Object.defineProperty(object, texts[random.int(0, texts.length - 1)]!, {
      value: randomValue(random, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return object;
}

describe("a block's JSON parsed proof against V8's escaped-key bug", () => {
  it('reads an escaped key as itself after a parse of a `\\\\` key (Node 24 read it as a backslash)', () => {
    // nodejs/node#63785: this first parse poisons V8's key cache for the next.
    JSON.parse('{"before":null,"\\\\":"x"}');
    for (const key of ['\u0001', '"', '\n', '\\']) {
      const text = JSON.stringify({ id: key, events: [{ before: null, [key]: 'e1' }] });
      const parsed = parseJson(text) as { events: Record<string, unknown>[] };
      expect(keysOf(parsed.events[0])).toEqual(['before', key]);
      expect(parsed.events[0]![key]).toBe('e1');
    }
  });

  it('parses strictly what JSON.stringify wrote, back to the same text, __proto__ as an own field; refuses what is not JSON', () => {
    const random = new SeededRandom(63785);
    for (let round = 0; round < 500; round++) {
      const text = JSON.stringify(randomValue(random));
      // Against the text, not JSON.parse: on Node 24 JSON.parse itself gets escaped keys wrong here.
      expect(JSON.stringify(strictJsonParse(text))).toBe(text);
      expect(JSON.stringify(parseJson(text))).toBe(text);
    }
    expect(Object.hasOwn(strictJsonParse('{"__proto__":1}') as object, '__proto__')).toBe(true);
    expect(strictJsonParse(' { "a" : [ 1 , "b" ] , "a" : 2 } ')).toEqual({ a: 2 });
    for (const bad of ['', '{', '{"a":}', '[1,]', '{"a":1,}', 'tru', '"x', '{} x', "{'a':1}"])
      expect(() => strictJsonParse(bad), bad).toThrow(SyntaxError);
  });

  it('reads a record with an escaped key as itself after the poisoning parse, and leaves others to JSON.parse', () => {
    JSON.parse('{"before":null,"\\\\":"x"}');
    for (const key of ['\u0001', '"', '\n']) {
      const record = parseJson(`{"before":null,${JSON.stringify(key)}:"v","nested":{${JSON.stringify(key)}:1}}`);
      expect(keysOf(record)).toEqual(['before', key, 'nested']);
      expect(keysOf((record as { nested: object }).nested)).toEqual([key]);
    }
    // A key that truly holds a backslash, and a value that does: read as they are.
    expect(parseJson('{"a\\\\b":"c\\"d"}')).toEqual({ 'a\\b': 'c"d' });
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });
});
