import ts from 'typescript';
import { packageExportOf, type PackageExport } from './package-exports.ts';
import { unwrap } from './unwrap.ts';

/**
 * Date and id packages whose calls read the clock or draw randomness, judged
 * by the package's name, the export's and the member called (a package's code
 * is not read, and its types may not be installed). Given a time, the same
 * calls are functions of it: `dayjs(e.ts)` and `DateTime.utc(2024, 1, 1)`
 * are not listed, hence `noArguments`.
 */
interface PackageCall {
  readonly module: RegExp;
  /** The export called, or whose member is called; `default` also matches the whole module (`require('dayjs')`). */
  readonly exported: RegExp;
  /** The member called on the export (`DateTime.now()`); undefined when the export itself is called. */
  readonly member?: RegExp;
  readonly noArguments?: boolean;
  /** The arguments that leave the date to the current time (`DateTime.fromObject({ hour: 3 })`: today at 03:00). */
  readonly todayUnless?: (args: readonly ts.Expression[]) => boolean;
  readonly what: string;
  readonly kind: 'clock' | 'random';
}

const packageCalls: readonly PackageCall[] = [
  {
    module: /^(dayjs|moment|moment-timezone)$/,
    exported: /^default$/,
    noArguments: true,
    what: 'dayjs()/moment() (the current time)',
    kind: 'clock',
  },
  {
    module: /^(dayjs|moment|moment-timezone)$/,
    exported: /^default$/,
    member: /^utc$/,
    noArguments: true,
    what: 'dayjs.utc()/moment.utc() (the current time)',
    kind: 'clock',
  },
  {
    module: /^luxon$/,
    exported: /^DateTime$/,
    member: /^(now|utc|local)$/,
    noArguments: true,
    what: 'DateTime.now()/utc()/local() (luxon, the current time)',
    kind: 'clock',
  },
  // Given only some units, luxon and moment fill the larger ones from the current time: `fromObject({})` is now,
  // `fromObject({ hour: 3 })` and `fromFormat('09:00', 'HH:mm')` today at that hour.
  {
    module: /^luxon$/,
    exported: /^DateTime$/,
    member: /^fromObject$/,
    todayUnless: (args) => objectWithoutYear(args[0]),
    what: 'DateTime.fromObject() without a year (luxon fills it from the current time)',
    kind: 'clock',
  },
  {
    module: /^luxon$/,
    exported: /^DateTime$/,
    member: /^fromFormat$/,
    todayUnless: (args) => formatWithoutYear(args[1]),
    what: 'DateTime.fromFormat() with a format without a year (luxon fills it from the current time)',
    kind: 'clock',
  },
  {
    module: /^(moment|moment-timezone)$/,
    exported: /^default$/,
    todayUnless: (args) => objectWithoutYear(args[0]) || (args.length >= 2 && formatWithoutYear(args[1])),
    what: 'moment() given no year (it fills it from the current time)',
    kind: 'clock',
  },
  {
    module: /^date-fns(\/.*)?$/,
    exported: /^(startOf|endOf)(Today|Tomorrow|Yesterday)$/,
    what: 'startOfToday() (date-fns, the current day)',
    kind: 'clock',
  },
  // Predicates and texts relative to the current time: `isToday(e.ts)`, `isPast(o.expiresAt)`, `formatDistanceToNow(ts)`
  // answer differently on a replay tomorrow, though they are given the event's time.
  {
    module: /^date-fns(\/.*)?$/,
    exported:
      /^(is(Today|Tomorrow|Yesterday|Past|Future)|isThis(Second|Minute|Hour|Week|ISOWeek|Month|Quarter|Year|ISOWeekYear)|formatDistanceToNow(Strict)?)$/,
    what: 'isToday()/isPast() (date-fns, compared with the current time)',
    kind: 'clock',
  },
  {
    module: /^ksuid$/,
    exported: /^default$/,
    member: /^random(Sync)?$/,
    what: 'KSUID.random() (time and random bytes)',
    kind: 'random',
  },
  {
    module: /^@paralleldrive\/cuid2$/,
    exported: /^createId$/,
    what: 'createId() (cuid2, a random id)',
    kind: 'random',
  },
  { module: /^cuid$/, exported: /^default$/, what: 'cuid() (a random id)', kind: 'random' },
  {
    module: /^(short-uuid|shortid)$/,
    exported: /^(default|generate)$/,
    member: /^generate$/,
    what: 'generate() (a random short id)',
    kind: 'random',
  },
  { module: /^(short-uuid|shortid)$/, exported: /^generate$/, what: 'generate() (a random short id)', kind: 'random' },
  { module: /^uuid$/, exported: /^v[67]$/, what: 'uuid v6/v7 (time and random bytes)', kind: 'random' },
  // `new ObjectId()` (or `ObjectId()`): the time, a process id and a counter; `new ObjectId(hex)` parses an id.
  {
    module: /^(bson|mongodb)$/,
    exported: /^ObjectI[dD]$/,
    noArguments: true,
    what: 'new ObjectId() (bson: the time, the process and a counter)',
    kind: 'random',
  },
  ...lodashCalls(/^now$/, '_.now() (lodash, the current time)', 'clock'),
  ...lodashCalls(
    /^(random|sample|sampleSize|shuffle)$/,
    '_.random()/_.sample()/_.shuffle() (lodash, chance)',
    'random',
  ),
  // `_.uniqueId('c-')` numbers from a counter kept for the process: it starts again at 1 after a restart.
  ...lodashCalls(/^uniqueId$/, '_.uniqueId() (lodash, a counter kept for the process)', 'random'),
];

/**
 * lodash (and lodash-es, underscore) calls of the functions `names` matches, in the three ways they are imported:
 * a member of the whole library (`_.now()`), a named import (`import { now } from 'lodash'`), and a per-method
 * module (`lodash/now`, also `lodash/now.js` as ESM imports it; the `lodash.now` package).
 */
function lodashCalls(names: RegExp, what: string, kind: 'clock' | 'random'): readonly PackageCall[] {
  const whole = /^(lodash|lodash-es|underscore)$/;
  const perMethod = new RegExp(
    `^lodash(-es)?/(${names.source.replace(/^\^|\$$/g, '')})(\\.js)?$|^lodash\\.(${names.source.replace(/^\^|\$$/g, '').toLowerCase()})$`,
  );
  return [
    { module: whole, exported: /^default$/, member: names, what, kind },
    { module: whole, exported: names, what, kind },
    { module: perMethod, exported: /^default$/, what, kind },
  ];
}

/** Package factories whose product draws a new random id on every call: `const nextId = monotonicFactory()`. */
const randomIdFactories: readonly { readonly module: RegExp; readonly exported: RegExp }[] = [
  { module: /^nanoid(\/.*)?$/, exported: /^(customAlphabet|customRandom)$/ },
  { module: /^ulid$/, exported: /^(monotonicFactory|factory)$/ },
  { module: /^@paralleldrive\/cuid2$/, exported: /^init$/ },
  { module: /^hyperid$/, exported: /^default$/ },
];

const exportName = (taken: PackageExport) => taken.exported ?? 'default';

/** No argument, or an object literal written out with no year (`{}`, `{ hour: 3 }`); a name or a spread is not judged. */
function objectWithoutYear(arg: ts.Expression | undefined): boolean {
  if (arg === undefined) return true;
  const object = unwrap(arg);
  return (
    ts.isObjectLiteralExpression(object) &&
    object.properties.every((p) => !ts.isSpreadAssignment(p) && !/^(years?|y|weekYear)$/.test(p.name?.getText() ?? ''))
  );
}

/**
 * A format written out that parses no year: no `y`/`Y`, week year `k`/`g`/`G`, or whole-date macro (`D`, `f`, `F`,
 * `L`) outside its quoted text (`'HH:mm'`, `"dd 'at' HH"`). A name or a template is not judged.
 */
function formatWithoutYear(arg: ts.Expression | undefined): boolean {
  const format = arg && unwrap(arg);
  if (!format || !ts.isStringLiteralLike(format)) return false;
  return !/[yYkgGDfFLXx]/.test(format.text.replace(/'[^']*'|\[[^\]]*\]/g, ''));
}

/** The package export a callee names, and the member called on it (`DateTime` and `now` of `DateTime.now()`). */
function packageCallee(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker) {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) {
    const taken = packageExportOf(callee, checker);
    return taken && { taken, member: undefined };
  }
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(unwrap(callee.expression))) return undefined;
  const taken = packageExportOf(unwrap(callee.expression), checker);
  return taken && { taken, member: callee.name.text };
}

/** What a call into a date or id package reads: the clock or randomness, with a label. */
export function packageNondeterminism(
  call: ts.CallExpression | ts.NewExpression,
  checker: ts.TypeChecker,
): { what: string; kind: 'clock' | 'random' } | undefined {
  const named = packageCallee(call, checker);
  if (!named) return undefined;
  const { taken, member } = named;
  const entry = packageCalls.find(
    (c) =>
      c.module.test(taken.module) &&
      c.exported.test(exportName(taken)) &&
      (c.member === undefined ? member === undefined : member !== undefined && c.member.test(member)) &&
      (!c.noArguments || (call.arguments?.length ?? 0) === 0) &&
      (!c.todayUnless || c.todayUnless(call.arguments ?? [])),
  );
  return entry && { what: entry.what, kind: entry.kind };
}

/** `monotonicFactory()` of ulid, `init({ length })` of cuid2, nanoid's `customAlphabet(…)`: the factory's name, or undefined. */
export function randomIdFactory(call: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  const named = packageCallee(call, checker);
  if (!named || named.member !== undefined) return undefined;
  const { taken } = named;
  return randomIdFactories.some((f) => f.module.test(taken.module) && f.exported.test(exportName(taken)))
    ? exportName(taken)
    : undefined;
}
