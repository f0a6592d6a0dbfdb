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
  if (ext === '.cts' || ext === '.cjs') return exportsOf({ default: createRequire(file)(file) as unknown });
  return exportsOf((await import(pathToFileURL(file).href)) as Record<string, unknown>);
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
