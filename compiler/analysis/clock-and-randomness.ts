import ts from 'typescript';
import { localDateTimeParse, localZoneCalendar } from './local-zone.ts';

/**
 * Calls whose result differs on every run: the processing clock and
 * randomness. Matched on the callee's trailing name so that bundler-rewritten
 * forms (`(0, import_node_crypto.randomUUID)()`) are caught too.
 */
const nondeterministicCallees: readonly [RegExp, string][] = [
  [/(^|\.)Date\.now$/, 'Date.now()'],
  [/(^|\.)performance\.now$/, 'performance.now()'],
  [/(^|\.)Math\.random$/, 'Math.random()'],
  [/(^|\.)hrtime(\.bigint)?$/, 'process.hrtime()'],
  [/(^|\.)randomUUID$/, 'crypto.randomUUID()'],
  [/(^|\.)(getRandomValues|randomBytes|randomInt)$/, 'crypto random bytes'],
  [/(^|\.)(uuid)?v[14]$/i, 'uuid v1/v4'],
  [/(^|\.)(nanoid|ulid|uuid)$/, 'a generated id'],
  // cassandra-driver's own generators: `types.Uuid.random()`, `types.TimeUuid.now()`, `types.LocalDate.now()`.
  [/(^|\.)Uuid\.random$/, 'Uuid.random()'],
  [/(^|\.)TimeUuid\.now$/, 'TimeUuid.now()'],
  [/(^|\.)Local(Date|Time)\.now$/, 'LocalDate/LocalTime.now()'],
  // The machine the code runs on: a replay on another host or process gives another value.
  [/(^|\.)hostname$/, 'os.hostname()'],
  [/(^|\.)networkInterfaces$/, 'os.networkInterfaces()'],
  [/(^|\.)(process|os)\.uptime$/, 'process.uptime()'],
  // What the machine has and how busy it is: partitions by CPU count or load differ from one host (or minute) to the next.
  [/(^|\.)(cpus|availableParallelism)$/, 'os.cpus()'],
  [/(^|\.)(loadavg|freemem)$/, 'os.loadavg()'],
  [/(^|\.)(memoryUsage|cpuUsage|resourceUsage)$/, 'process.memoryUsage()'],
  // How busy the process is right now: shedding records by event-loop load or heap keeps another set on every replay.
  [/(^|\.)(eventLoopUtilization|getHeapStatistics|availableMemory)$/, 'performance.eventLoopUtilization()'],
  [/(^|\.)userInfo$/, 'os.userInfo()'],
];

/**
 * Words every text that `nondeterministicValue` flags contains (each pattern
 * above and below needs one of them): text without any is skipped unparsed.
 * Keep it in step when adding a pattern.
 */
const mentionsNondeterminism =
  /date|now|random|hrtime|uuid|v[14]|nanoid|ulid|hostname|networkinterfaces|uptime|pid|pod_name|computername|env\.host|cpus|parallelism|loadavg|freemem|usage|utilization|heapstatistics|availablememory|userinfo|resolvedoptions|tolocale|timezoneoffset|timeorigin|hours|month|fullyear|getday|getyear|timestring|sample|shuffle|uniqueid/i;

/** False when source text cannot hold a clock, random or machine read (a cheap test before parsing it). */
export function mayBeNondeterministic(text: string): boolean {
  return mentionsNondeterminism.test(text);
}

/** Properties that differ from one process or machine to the next. */
const machineProperties = /^(globalThis\.)?process\.(pid|ppid)$/;
/**
 * The machine's or the pod's name read from the environment (a new pod name
 * after every restart in Kubernetes). Only these names: other variables are
 * configuration, the same on every run.
 */
const machineEnvironment =
  /^(globalThis\.)?process\.env(\.|\[['"`])(HOSTNAME|HOST|COMPUTERNAME|POD_NAME|POD_IP|MY_POD_NAME)(['"`]\])?$/;

/** What kind of value a label names: the clock, randomness, or the machine running the code. */
export type NondeterministicKind = 'clock' | 'random' | 'machine' | 'module-state';

const clockLabels =
  /^(performance\.timeOrigin|Date\.now\(\)|performance\.now\(\)|process\.hrtime\(\)|process\.uptime\(\)|new Date\(\)|Date\(\)|TimeUuid\.now\(\)|LocalDate\/LocalTime\.now\(\)|Intl\.DateTimeFormat\(\)\.format\(\))$/;
const machineLabels =
  /^(os\.hostname\(\)|os\.networkInterfaces\(\)|os\.cpus\(\)|os\.loadavg\(\)|os\.userInfo\(\)|process\.memoryUsage\(\)|performance\.eventLoopUtilization\(\)|process\.pid|process\.env\.\w+|the machine's (time zone|locale).*)$/;

export function kindOf(what: string): NondeterministicKind {
  if (clockLabels.test(what)) return 'clock';
  if (machineLabels.test(what)) return 'machine';
  return 'random';
}

function calleeText(node: ts.Expression): string {
  // `(0, ns.fn)()` → `ns.fn`
  if (
    ts.isParenthesizedExpression(node) &&
    ts.isBinaryExpression(node.expression) &&
    node.expression.operatorToken.kind === ts.SyntaxKind.CommaToken
  ) {
    return calleeText(node.expression.right);
  }
  // `Math['random']` → `Math.random`: a member named by a string literal is the same member.
  return node
    .getText()
    .replace(/\s+/g, '')
    .replace(/\?\./g, '.')
    .replace(/\[(['"`])(\w+)\1\]/g, '.$2');
}

/** What a single node reads from the clock or a random source, if anything (not its children). */
/** A package export judged by the name it is exported under (`randomUUID` for `import { randomUUID as fresh }`). */
export function nondeterministicCallee(exportedName: string): string | undefined {
  for (const [pattern, label] of nondeterministicCallees) if (pattern.test(exportedName)) return label;
  return undefined;
}

/** `new Intl.DateTimeFormat(…)` or `Intl.DateTimeFormat(…)`: a formatter, which formats the current time when given none. */
export function isDateTimeFormat(node: ts.Node): boolean {
  return (
    (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
    /^(globalThis\.)?Intl\.DateTimeFormat$/.test(calleeText(node.expression))
  );
}

/**
 * `formatter.format()` / `.formatToParts()` without a date formats the
 * current time. `formatter` is judged by `isFormatter` (the analysis that
 * can resolve a name passes its own; alone, only a formatter made in place).
 */
export function formatsCurrentTime(
  call: ts.CallExpression,
  isFormatter: (receiver: ts.Expression) => boolean = isDateTimeFormat,
): string | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || call.arguments.length > 0) return undefined;
  if (callee.name.text !== 'format' && callee.name.text !== 'formatToParts') return undefined;
  return isFormatter(callee.expression) ? 'Intl.DateTimeFormat().format()' : undefined;
}

/** `performance.timeOrigin`: when the process started, a clock read once a process. */
const processStart = /^(globalThis\.)?performance\.timeOrigin$/;

/**
 * Values that depend on the machine's time zone or locale, not on the event:
 * `Intl.DateTimeFormat().resolvedOptions()` of a formatter made without
 * options, `d.getTimezoneOffset()`, and `d.toLocaleDateString()` /
 * `toLocaleString()` / `toLocaleTimeString()` given no `timeZone` (a replay on a
 * host in another zone writes another key).
 */
function machineZoneOrLocale(call: ts.CallExpression, constOf?: ConstOf): string | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (method === 'getTimezoneOffset' && call.arguments.length === 0)
    return "the machine's time zone (getTimezoneOffset())";
  if (method === 'resolvedOptions') {
    const made = callee.expression;
    const bare = (ts.isNewExpression(made) || ts.isCallExpression(made)) && (made.arguments?.length ?? 0) === 0;
    return bare && isDateTimeFormat(made) ? "the machine's time zone and locale (Intl resolvedOptions())" : undefined;
  }
  if (!/^toLocale(Date|Time)?String$/.test(method)) return undefined;
  return zoned(call.arguments[1], constOf)
    ? undefined
    : `the machine's time zone and locale (${method}() without a timeZone)`;
}

/**
 * What a const name holds, when the analysis can tell (`SHORT_DATE` of `export const SHORT_DATE = { dateStyle:
 * 'short' }` in another module); undefined otherwise.
 */
export type ConstOf = (name: ts.Identifier) => ts.Expression | undefined;

/**
 * Options that name a time zone, or that cannot be read (a spread, a name whose value is not known): given the
 * benefit of the doubt. A const name holding an object literal is read as that literal.
 */
function zoned(given: ts.Expression | undefined, constOf?: ConstOf): boolean {
  const options = given && ts.isIdentifier(given) ? (constOf?.(given) ?? given) : given;
  return (
    options !== undefined &&
    (!ts.isObjectLiteralExpression(options) ||
      options.properties.some((p) => ts.isSpreadAssignment(p) || p.name?.getText() === 'timeZone'))
  );
}

/** `Reflect.construct(Date, [])` (or with no argument list): `new Date()` by reflection, the current time. */
function reflectedNewDate(call: ts.CallExpression): boolean {
  if (!/^(globalThis\.)?Reflect\.construct$/.test(calleeText(call.expression))) return false;
  const [target, args] = call.arguments;
  return (
    target !== undefined &&
    calleeText(target).replace(/^globalThis\./, '') === 'Date' &&
    (args === undefined || (ts.isArrayLiteralExpression(args) && args.elements.length === 0))
  );
}

/**
 * `new Intl.DateTimeFormat('en-CA', { year: 'numeric', … })` without a
 * `timeZone`: whatever date it formats, it prints it in the machine's zone,
 * so `isoDay.format(ws)` is another day on a host west of UTC. (Made without
 * any argument and asked only `resolvedOptions()`, it is judged there.)
 */
function zonelessFormatter(node: ts.Node, constOf?: ConstOf): string | undefined {
  if (!isDateTimeFormat(node)) return undefined;
  const args = (node as ts.NewExpression | ts.CallExpression).arguments ?? [];
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'resolvedOptions') return undefined;
  return zoned(args[1], constOf) ? undefined : "the machine's time zone (an Intl.DateTimeFormat without a timeZone)";
}

/**
 * `xs.sort(() => Math.random() - 0.5)`: a comparator that answers by chance leaves the elements in a random
 * order, so whatever is taken by position from the result (`[0]`, `.slice(0, 1)`) is picked by chance.
 */
function randomOrder(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !/^(sort|toSorted)$/.test(callee.name.text)) return undefined;
  const comparator = call.arguments[0];
  if (!comparator || !(ts.isArrowFunction(comparator) || ts.isFunctionExpression(comparator))) return undefined;
  const chance = (node: ts.Node): string | undefined => {
    const what = nondeterministicValue(node);
    return what && kindOf(what) === 'random' ? what : ts.forEachChild(node, chance);
  };
  const what = chance(comparator.body);
  return what && `a random order (.${callee.name.text} by ${what})`;
}

/** The method name of `xs.sort(…)` when that call sorts by chance: where a finding about it points. */
export const sortedAt = (node: ts.Node): ts.Node | undefined =>
  ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && randomOrder(node)
    ? node.expression.name
    : undefined;

export function nondeterministicValue(node: ts.Node, constOf?: ConstOf): string | undefined {
  if (
    ts.isPropertyAccessExpression(node) &&
    !(ts.isCallExpression(node.parent) && node.parent.expression === node) &&
    processStart.test(calleeText(node))
  )
    return 'performance.timeOrigin';
  if (
    ts.isNewExpression(node) &&
    calleeText(node.expression).replace(/^globalThis\./, '') === 'Date' &&
    (node.arguments?.length ?? 0) === 0
  ) {
    return 'new Date()';
  }
  if (
    ts.isPropertyAccessExpression(node) &&
    !(ts.isCallExpression(node.parent) && node.parent.expression === node) &&
    machineProperties.test(calleeText(node))
  )
    return 'process.pid';
  if (
    (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) &&
    machineEnvironment.test(calleeText(node))
  )
    return `process.env.${machineEnvironment.exec(calleeText(node))![3]}`;
  const zoneless = zonelessFormatter(node, constOf) ?? localDateTimeParse(node);
  if (zoneless) return zoneless;
  if (ts.isCallExpression(node)) {
    const formatted = formatsCurrentTime(node);
    if (formatted) return formatted;
    if (reflectedNewDate(node)) return 'new Date()';
    const zoned = machineZoneOrLocale(node, constOf) ?? localZoneCalendar(node);
    if (zoned) return zoned;
    const callee = calleeText(node.expression);
    // cassandra-driver fills the node and clock ids it is not given with random bytes: another id on every call.
    if (/(^|\.)TimeUuid\.fromDate$/.test(callee) && node.arguments.length < 4)
      return 'TimeUuid.fromDate() without node and clock ids (random bytes)';
    if (callee === 'Date' || callee === 'globalThis.Date') return 'Date()';
    const order = randomOrder(node);
    if (order) return order;
    for (const [pattern, label] of nondeterministicCallees) if (pattern.test(callee)) return label;
  }
  return undefined;
}
