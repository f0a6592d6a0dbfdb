// Worker threads do not inherit the tsx loader that runs the CLI and the
// tests, so a TypeScript worker module starts here: register tsx, then load
// the module named in workerData (see ts-worker.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
