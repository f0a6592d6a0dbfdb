import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerRequireHooks } from 'tsx/cjs/api';
import { register as registerImportHooks } from 'tsx/esm/api';
import { isPipeline } from '../dsl/index.ts';

/** Set by bin/idemflow.js when it registered tsx's import hooks itself (in a clone, for the CLI's own sources). */
const importHooksMark = Symbol.for('idemflow.tsx-import-hooks');
let requireHooks = false;

/** tsx's import and require hooks, each registered once, before the first user module loads. */
function registerTypeScriptHooks(): void {
  const marks = globalThis as { [importHooksMark]?: boolean };
  if (marks[importHooksMark] !== true) {
    registerImportHooks();
    marks[importHooksMark] = true;
  }
  if (!requireHooks) {
    registerRequireHooks();
    requireHooks = true;
  }
}

/**
 * Loads a user's module — `.ts`, `.mts`, `.cts`, `.js`, `.mjs` or `.cjs` — in
 * a project of either module type, and returns what it exports.
 *
 * tsx's import hooks compile TypeScript as it loads; they are registered on
 * the first call (or at start in a clone, by bin/idemflow.js). Node treats
 * `.cts`, and `.ts` or `.js` in a project without `"type": "module"` (what
 * `npm init` makes), as CommonJS; compiling those needs tsx's require hooks
 * too, or Node fails with "Cannot require() ES Module … in a cycle". `.cts`
 * and `.cjs` are required rather than imported: Node 20's import of CommonJS
 * whose source a loader hook supplied gives it a `require` that cannot load packages.
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  registerTypeScriptHooks();
  const ext = extname(file);
  return printingToStderr(async () => {
    if (ext === '.cts' || ext === '.cjs') return exportsOf({ default: createRequire(file)(file) as unknown });
    return exportsOf((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  });
}

/** How many loads are under way: stdout is sent back when the last one ends, whichever order they end in. */
let loading = 0;
/** stdout's own write, while loads send it to stderr. */
let stdoutWrite: typeof process.stdout.write | undefined;
const toStderr = ((...args: unknown[]) =>
  (process.stderr.write as (...a: unknown[]) => boolean).apply(process.stderr, args)) as typeof process.stdout.write;

/**
 * Runs `load` with what is written to stdout sent to stderr: a user's module
 * that logs as it loads (`console.log` in a factory) must not land in the
 * command's report, which `--format json` and `sarif` make a document that
 * stdout holds alone. What the module prints later, from its functions, is its own business.
 */
async function printingToStderr<T>(load: () => Promise<T>): Promise<T> {
  if (loading++ === 0) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back on process.stdout, its object
    stdoutWrite = process.stdout.write;
    process.stdout.write = toStderr;
  }
  try {
    return await load();
  } finally {
    if (--loading === 0) process.stdout.write = stdoutWrite!;
  }
}

/**
 * A CommonJS module reaches `import()` as `default`, holding its
 * `module.exports` — where TypeScript compiled to CommonJS puts its own
 * `default` and named exports. Those are lifted up, each value once, so
 * `export default source…` finds the same pipeline in a module of either type.
 */
function exportsOf(namespace: Record<string, unknown>): Record<string, unknown> {
  const { default: main, 'module.exports': _moduleExports, ...named } = namespace;
  if (typeof main !== 'object' || main === null || isPipeline(main) || !isPlainObject(main)) return namespace;
  // Node lists some of module.exports' names beside `default` too: each value once.
  const seen = new Set<unknown>();
  const entries = [...Object.entries(main), ...Object.entries(named)];
  return Object.fromEntries(
    entries.filter(([name, value]) => name !== '__esModule' && !seen.has(value) && seen.add(value)),
  );
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
