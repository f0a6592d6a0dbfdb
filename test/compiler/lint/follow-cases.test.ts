import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkedAndExpected, type ExpectedFinding, fixtureFolderTests } from '../../helpers/lint-cases.ts';

const root = fileURLToPath(new URL('../../fixtures/follow/', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * Left from the fourth round of unseen cases (issue 15): paths the analysis
 * did not follow, or followed too far. Each case with a look-alike that
 * stays clean.
 */
const dslCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  // An overloaded helper (e27): the call resolves to a signature without a body; its implementation reads the clock.
  'dsl/overloaded-key.ts': [['IDEM003', 12, 19, 'shiftOf(e.sensorId)']],
  // A record class the pipeline maps into (q04): a getter read as event time and a method called for the key that
  // read the clock; the record's type is inferred from `.map(…)`, which `check` now reads with idemflow's own types.
  // The getter and the method that read fields are clean.
  'dsl/record-classes.ts': [
    ['IDEM003', 28, 25, 'r.takenAt'],
    ['IDEM003', 37, 19, 'r.shift()'],
  ],
  // Iterating an instance (q05: `[...new Stamps(id)]`) runs its `*[Symbol.iterator]()`: a yielded clock is the key's.
  'dsl/iterated-keys.ts': [['IDEM003', 25, 20, '...new Stamps']],
};

const driverCases: Readonly<Record<string, readonly ExpectedFinding[]>> = {
  'driver/client.ts': [],
  // A table looked up by a constant key runs the entry the key names (r02): the odometer's whole value is clean,
  // `HANDLERS['trip']` still counts; the stop and fuel counters are never picked.
  'driver/const-key-table.ts': [['IDEM010', 10, 18, 'execute(']],
  // Writes gathered by `Promise.all(rows.map(…))` or `Promise.all([…])` in a try whose catch only logs (e10); the twin
  // rethrows, and a Promise.all of no write is left alone.
  'driver/gathered-writes.ts': [
    ['IDEM012', 16, 9, 'catch (err)'],
    ['IDEM012', 33, 9, 'catch (err)'],
  ],
  // A helper given the write's promise lets its failure go: `.catch(() => undefined)` (e11) or a catch that returns
  // a value; the helper that rethrows after logging is clean.
  'driver/swallowing-helper.ts': [
    ['IDEM012', 30, 13, 'quietly('],
    ['IDEM012', 31, 13, 'logged('],
  ],
  // A listener registered by a helper on the emitter it is given, or on a const alias of the emitter: `bus.emit` in
  // the handler runs it (a counter, an unawaited write). The same shapes on an emitter whose listeners log are clean.
  'driver/listener-through-helper.ts': [
    ['IDEM010', 11, 18, 'execute('],
    ['IDEM012', 19, 15, 'execute('],
    ['IDEM012', 34, 24, 'emit('],
  ],
  // A queue behind a helper (`enqueue(cql, params)` returning `writes.add(() => client.execute(…))`) and an async
  // `queue(worker)` whose worker writes, given a task unawaited; the awaited helper, the drained queue and a worker
  // that only logs are clean. (queue-packages.d.ts: the two packages' types, as installed.)
  'driver/queued-behind-helper.ts': [
    ['IDEM012', 24, 7, 'enqueue('],
    ['IDEM012', 25, 17, 'push('],
  ],
  'driver/queue-packages.d.ts': [],
  // Methods attached with `Object.assign(C.prototype, { handle() {…} })` (e20), reached through `trips.handle(…)` and
  // `this.bump(…)`; the mixin that writes the whole value is clean.
  'driver/prototype-methods.ts': [['IDEM010', 15, 18, 'execute(']],
  // A template method (s03): `this.apply()` in an abstract base runs the override of the instance's class. The
  // consumer makes a StopCountStep (its counter is found); the counting overrides only an offline tool makes are clean,
  // also where the base's method is reached from the handler through another subclass.
  'driver/template-method.ts': [['IDEM010', 37, 18, 'execute(']],
  // The same for driver code (e27): the key's overloaded helper adds Date.now(); its look-alike adds a field.
  'driver/overloaded-key.ts': [['IDEM011', 26, 85, 'tripId(vin)']],
};

const cases = { ...dslCases, ...driverCases };

describe('paths through helpers, listeners, queues, prototypes, overloads and records', () => {
  const lintOf = fixtureFolderTests(root, tsconfig, cases);

  it('a write queued behind a helper names the queue (with the package typed, it was only a floating promise)', () => {
    const [helper, worker] = lintOf().findings.filter((f) => f.location.file.endsWith('queued-behind-helper.ts'));
    expect(helper!.message).toMatch(/^`enqueue\(…\)` hands a write to the queue `writes`/);
    expect(worker!.message).toMatch(/^`odometers\.push\(…\)` hands a write to the queue `odometers`/);
  });

  it('a helper that lets a failure go is named with the place it does', () => {
    const [quietly, logged] = lintOf().findings.filter((f) => f.location.file.endsWith('swallowing-helper.ts'));
    expect(quietly!.message).toMatch(
      /^`quietly\(…\)` lets the failure of `client\.execute\(…\)` go \(its catch at .*swallowing-helper\.ts:5:16/,
    );
    expect(logged!.message).toMatch(/its catch at .*swallowing-helper\.ts:12:5/);
  });

  it('check, which runs the pipelines, finds the same codes at the same places', async () => {
    const { checked, expected } = await checkedAndExpected(root, dslCases, Object.keys(dslCases));
    expect(checked).toEqual(expected);
  }, 120_000);
});
