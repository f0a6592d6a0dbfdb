// `node --import <this file>`: records the URL of every module the process
// resolves, one a line, in the file named by IDEMFLOW_RECORD_IMPORTS — what
// test/helpers/loaded-packages.ts reads to tell which packages a command loaded.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url);
