import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BuildError, embedded, source, type Stream } from 'idemflow';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// What untyped JavaScript (or a stream typed `any`) can write: TypeScript cannot help, the builder must.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the point is the absence of types
const untyped = <T>(stream: Stream<T>) => stream as Stream<any>;

const Visit = z.object({
  url: z.string(),
  bytes: z.number(),
  at: z.date().optional(),
  size: z.coerce.number(),
  parsed: z.string().transform(Number),
  maybe: z.number().nullable(),
});
const visits = () => untyped(source.memory<unknown>(['{}']).parse(Visit));

function buildError(build: () => unknown): BuildError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(BuildError);
    return error as BuildError;
  }
  throw new Error('expected a BuildError');
}

describe('sum/min/max/avg of a field known not to hold numbers: a BuildError', () => {
  it.each([
    ['sum', 'url', 'string'],
    ['min', 'url', 'string'],
    ['avg', 'at', 'date'],
  ])('%s("%s") on a zod schema', (op, field, kind) => {
    const error = buildError(() =>
      (visits().groupBy('bytes') as unknown as Record<string, (f: string) => unknown>)[op]!(field),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^${op}: field "${field}" holds ${kind} values, not numbers: ${op} needs a numeric field \\(parse it into a number first, e\\.g\\. z\\.coerce\\.number\\(\\)\\) \\(at .*numeric-fields\\.test\\.ts:\\d+:\\d+\\)$`,
      ),
    );
  });

  it("on the generator's string fields", () => {
    expect(buildError(() => untyped(source.generator()).groupBy('eventId').max('sensorId')).message).toMatch(
      /^max: field "sensorId" holds string values/,
    );
  });

  it('on in-memory records whose field is never a number', () => {
    expect(
      buildError(() =>
        untyped(
          source.memory([
            { k: 'a', url: '/x' },
            { k: 'b', url: '/y' },
          ]),
        )
          .groupBy('k')
          .sum('url'),
      ).message,
    ).toMatch(/^sum: field "url" holds string values/);
  });

  it('safe look-alikes build: numbers, coerced numbers, transforms, nullable numbers, mixed records, fields after a map', () => {
    for (const field of ['bytes', 'size', 'parsed', 'maybe'])
      expect(() => visits().groupBy('url').sum(field)).not.toThrow();
    expect(() =>
      untyped(
        source.memory([
          { k: 'a', n: '3' },
          { k: 'b', n: 4 },
        ]),
      )
        .groupBy('k')
        .avg('n'),
    ).not.toThrow();
    expect(() =>
      untyped(source.generator().map((e) => ({ ...e, sensorId: 1 })))
        .groupBy('eventId')
        .sum('sensorId'),
    ).not.toThrow();
  });
});

describe('at run time, where the builder cannot know', () => {
  it('a record whose summed field is not a number is a dead letter with the reason; the rest sum exactly (numeric strings count)', async () => {
    const records = Array.from({ length: 2_500 }, (_, i) => ({
      k: `k${i % 3}`,
      n: i % 500 === 7 ? 'lots' : i % 2 === 0 ? i : String(i),
    }));
    // After a map the builder knows nothing of the fields.
    const pipeline = untyped(source.memory(records).map((r) => r))
      .groupBy('k')
      .sum('n')
      .sink(embedded.upsert({ table: 'sums', key: { k: 'key' }, values: { total: 'value' } }));
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(pipeline.ir, { store, batchSize: 1_000, log: () => {} });
    const bad = records.filter((r) => r.n === 'lots');
    expect(result.deadLetters).toBe(bad.length);
    const letters = store
      .table({ table: 'dead_letters' })
      .rows()
      .map((r) => String(r.columns.reason));
    expect(letters).toHaveLength(bad.length);
    expect(letters.every((reason) => reason === 'sum field `n` is not a number: lots')).toBe(true);
    const truth = new Map<string, number>();
    for (const r of records) if (r.n !== 'lots') truth.set(r.k, (truth.get(r.k) ?? 0) + Number(r.n));
    expect(
      Object.fromEntries(
        store
          .table({ table: 'sums' })
          .rows()
          .map((r) => [r.key[0], r.columns.total]),
      ),
    ).toEqual(Object.fromEntries(truth));
  });

  it('an event time that is a string is a dead letter saying what withEventTime must return', async () => {
    const pipeline = untyped(source.memory([{ k: 'a', when: 'yesterday' }]))
      .withEventTime((r) => (r as { when: never }).when)
      .groupBy('k')
      .count()
      .sink(embedded.upsert({ table: 'c', key: { k: 'key' }, values: { n: 'value' } }));
    const store = new EmbeddedStore(tempDir());
    expect((await runLocal(pipeline.ir, { store, log: () => {} })).deadLetters).toBe(1);
    expect(store.table({ table: 'dead_letters' }).rows()[0]!.columns.reason).toBe(
      'event time is not a finite number: yesterday (withEventTime must return milliseconds since the epoch or a Date)',
    );
  });
});
