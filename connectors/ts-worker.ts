import { Worker } from 'node:worker_threads';

/**
 * Starts a TypeScript module in a worker thread, handing it `data` (read it
 * with `workerInput()`). Costs about 0.2 s of start-up: worth it only for
 * work that keeps a core busy, such as decoding a Kafka fetch.
 */
export function startTsWorker(module: URL, data: unknown): Worker {
  return new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { workerData: { module: module.href, data } });
}

/**
 * The module `name` beside `moduleUrl` (pass `import.meta.url`), in the same
 * language: `.ts` when running from the sources, `.js` once built to `dist/`.
 * A URL is not an import, so the build does not rewrite its extension.
 */
export function siblingModule(name: string, moduleUrl: string): URL {
  return new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}

/** Inside a worker started by `startTsWorker`: the data it was given. */
export function workerInput<T>(workerData: unknown): T {
  return (workerData as { data: T }).data;
}
