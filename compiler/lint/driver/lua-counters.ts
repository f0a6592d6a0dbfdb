import { Node, type CallExpression, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { methodCalls } from '../find-nodes.ts';
import { constInitializer } from './cql-text.ts';

/** A Redis counter command run by a Lua script: which command, and the call that runs the script. */
export interface LuaCounter {
  readonly call: CallExpression;
  readonly command: string;
  /** How the script was run: `EVAL`, `EVALSHA`, or the name a `defineCommand` gave it. */
  readonly via: string;
}

/** `redis.call('INCRBY', …)` (or `pcall`) in Lua: a command that adds to a stored number. */
const luaCounter = /redis\.p?call\(\s*['"](incr|decr|incrby|decrby|incrbyfloat|hincrby|hincrbyfloat|zincrby)['"]/i;

/**
 * A check before the counter that passes only once for a message: `SETNX`,
 * `HSETNX`, `SET … NX` or `SADD` of a de-duplication key, or `SISMEMBER` of a
 * seen set. In one script it is atomic with the counter, so a redelivery
 * finds the key and skips the delta.
 */
const luaGuard =
  /redis\.p?call\(\s*['"](setnx|hsetnx|sadd|sismember)['"]|redis\.p?call\(\s*['"]set['"][^)]*['"]nx['"]/i;

/** The Lua counter command a script runs unguarded, or undefined. */
export function unguardedLuaCounter(script: string): string | undefined {
  const counter = luaCounter.exec(script);
  if (!counter) return undefined;
  return luaGuard.test(script.slice(0, counter.index)) ? undefined : counter[1]!.toUpperCase();
}

/** A script's text: a string or template written out, or a const holding one (here or imported). */
function scriptText(written: Node | undefined, hops = 0): string | undefined {
  if (!written || hops > 3) return undefined;
  if (Node.isStringLiteral(written) || Node.isNoSubstitutionTemplateLiteral(written)) return written.getLiteralText();
  if (Node.isTemplateExpression(written)) return written.getText();
  if (Node.isIdentifier(written))
    return scriptText(constInitializer(written), hops + 1) ?? scriptText(loadedScript(written), hops + 1);
  if (Node.isAsExpression(written) || Node.isNonNullExpression(written) || Node.isParenthesizedExpression(written))
    return scriptText(written.getExpression(), hops + 1);
  return undefined;
}

/**
 * The script a SHA names: `const sha = await redis.script('LOAD', SCRIPT)`
 * (ioredis) or `await client.scriptLoad(SCRIPT)` (node-redis).
 */
function loadedScript(sha: Node): Node | undefined {
  let init = constInitializer(sha);
  if (init && Node.isAwaitExpression(init)) init = init.getExpression();
  if (!init || !Node.isCallExpression(init)) return undefined;
  const callee = init.getExpression();
  const method = Node.isPropertyAccessExpression(callee) ? callee.getName() : '';
  const [first, second] = init.getArguments();
  if (method === 'scriptLoad') return first;
  const load = method === 'script' && first && Node.isStringLiteral(first) && /^load$/i.test(first.getLiteralText());
  return load ? second : undefined;
}

const evalMethods: ReadonlySet<string> = new Set(['eval', 'evalsha', 'evalSha']);

/**
 * Lua scripts a file runs on Redis whose text calls a counter command:
 * `redis.eval(SCRIPT, …)`, `redis.evalsha(sha, …)` of a loaded script, and
 * `redis.defineCommand('addScore', { lua: SCRIPT })` then `redis.addScore(…)`.
 * A script that runs `SETNX`/`SET … NX` of a key before the counter is guarded.
 */
export function luaCounters(file: SourceFile): LuaCounter[] {
  const found: LuaCounter[] = [];
  for (const call of methodCalls(file, evalMethods)) {
    const command = unguardedLuaCounter(scriptText(call.getArguments()[0]) ?? '');
    const name = (call.getExpression() as PropertyAccessExpression).getName();
    if (command) found.push({ call, command, via: name.toUpperCase() });
  }
  const defined = definedCommands(file);
  if (defined.size > 0)
    for (const call of methodCalls(file, new Set(defined.keys())))
      found.push({
        call,
        command: defined.get((call.getExpression() as PropertyAccessExpression).getName())!,
        via: '',
      });
  return found;
}

/** `redis.defineCommand('addScore', { numberOfKeys: 2, lua: SCRIPT })` whose script runs a counter: name → command. */
function definedCommands(file: SourceFile): Map<string, string> {
  const defined = new Map<string, string>();
  for (const call of methodCalls(file, new Set(['defineCommand']))) {
    const [name, options] = call.getArguments();
    if (!name || !Node.isStringLiteral(name) || !options || !Node.isObjectLiteralExpression(options)) continue;
    const lua = options.getProperty('lua');
    const script = lua && Node.isPropertyAssignment(lua) ? scriptText(lua.getInitializer()) : undefined;
    const command = script && unguardedLuaCounter(script);
    if (command) defined.set(name.getLiteralText(), command);
  }
  return defined;
}
