#!/usr/bin/env node
// idemflow's command line. Installed from the package, it runs the JavaScript
// built into dist/. In a clone (the TypeScript sources are there; the package
// does not ship them) it runs the sources, so working on idemflow needs no
// build step. Either way tsx is registered: users' pipelines are TypeScript,
// compiled as they load, with source maps so locations are in the .ts files.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

const fromSources = existsSync(new URL('../cli/main.ts', import.meta.url));
// The clone's own pipelines import 'idemflow': resolve it to the sources too (package.json's "idemflow-source" condition).
if (fromSources) registerHooks('./source-condition.js', import.meta.url);
register();
await import(fromSources ? '../cli/main.ts' : '../dist/cli/main.js');
