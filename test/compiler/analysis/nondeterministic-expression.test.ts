import { describe, expect, it } from 'vitest';
import { mayBeNondeterministic } from '../../../compiler/analysis/clock-and-randomness.ts';
import { findNondeterministic } from '../../../compiler/analysis/nondeterministic-expression.ts';

/** One expression for every clock, random and machine read the analysis knows, in the forms code writes them. */
const flagged: readonly [string, string][] = [
  ['Date.now()', 'Date.now()'],
  ['globalThis.Date.now()', 'Date.now()'],
  ['Date . now()', 'Date.now()'],
  ['performance.now()', 'performance.now()'],
  ['Math.random()', 'Math.random()'],
  ['process.hrtime.bigint()', 'process.hrtime()'],
  ['crypto.randomUUID()', 'crypto.randomUUID()'],
  ['(0, import_node_crypto.randomUUID)()', 'crypto.randomUUID()'],
  ['randomBytes(16)', 'crypto random bytes'],
  ['crypto.getRandomValues(buf)', 'crypto random bytes'],
  ['randomInt(10)', 'crypto random bytes'],
  ['uuidv4()', 'uuid v1/v4'],
  ['uuid.V1()', 'uuid v1/v4'],
  ['nanoid()', 'a generated id'],
  ['ulid()', 'a generated id'],
  ['uuid()', 'a generated id'],
  ['types.Uuid.random()', 'Uuid.random()'],
  ['types.TimeUuid.now()', 'TimeUuid.now()'],
  ['types.LocalTime.now()', 'LocalDate/LocalTime.now()'],
  ['os.hostname()', 'os.hostname()'],
  ['os.networkInterfaces()', 'os.networkInterfaces()'],
  ['process.uptime()', 'process.uptime()'],
  ['process.pid', 'process.pid'],
  ['globalThis.process.ppid', 'process.pid'],
  ['new Date()', 'new Date()'],
  ['Date()', 'Date()'],
  ['globalThis.Date()', 'Date()'],
];

describe('clock and randomness in an expression', () => {
  it.each(flagged)('finds %s as %s, and the quick test before parsing lets it through', (text, what) => {
    expect(mayBeNondeterministic(`[r.id, ${text}]`)).toBe(true);
    expect(findNondeterministic(`[r.id, ${text}]`)).toEqual({ what, offset: 7 });
  });

  it.each(['r.eventId', 'new Date(e.ts)', 'Date.parse(e.ts)', 'site', "hash(r.id + ':' + r.ts)", 'uuidv5(r.id, ns)'])(
    'leaves %s alone',
    (text) => expect(findNondeterministic(text)).toBeUndefined(),
  );

  it('skips text that names none of them without parsing it', () => {
    expect(mayBeNondeterministic('[message.offset, site]')).toBe(false);
    expect(mayBeNondeterministic('r.sensorId')).toBe(false);
  });
});
