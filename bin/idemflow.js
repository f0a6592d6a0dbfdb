#!/usr/bin/env node
// idemflow's command line. Installed from the package, it runs the JavaScript
// built into dist/. In a clone (the TypeScript sources are there; the package
// does not ship them) it runs the sources, so working on idemflow needs no
// build step.
//
// Users' pipelines are TypeScript, compiled as they load by tsx (with source
// maps, so locations are in the .ts files). Registering tsx costs more than
// the rest of `idemflow --help`, so the package registers it only when a
// command loads a pipeline (cli/import-module.ts). A clone needs it at once,
// for the CLI's own sources, and marks it done so it is not registered twice.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

const fromSources = existsSync(new URL('../cli/main.ts', import.meta.url));
if (fromSources) {
  // The clone's own pipelines import 'idemflow': resolve it to the sources too (package.json's "idemflow-source" condition).
  registerHooks('./source-condition.js', import.meta.url);
  const { register } = await import('tsx/esm/api');
  register();
  globalThis[Symbol.for('idemflow.tsx-import-hooks')] = true;
}
await import(fromSources ? '../cli/main.ts' : '../dist/cli/main.js');
