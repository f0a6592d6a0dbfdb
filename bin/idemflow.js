#!/usr/bin/env node
// The CLI and user pipelines are TypeScript: tsx compiles them as they load,
// so users need no build step. Source maps stay on, so locations are in .ts.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
