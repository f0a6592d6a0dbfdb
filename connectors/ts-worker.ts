import { Worker } from 'node:worker_threads';

/**
 * Starts a TypeScript module in a worker thread, handing it `data` (read it
 * with `workerInput()`). Costs about 0.2 s of start-up: worth it only for
 * work that keeps a core busy, such as decoding a Kafka fetch. A module
 * already in JavaScript (the built package's) starts directly: the
 * TypeScript loader brings a loader thread of its own, about 0.25 s of CPU,
 * which a loaded machine stretches to seconds before a restarted runner
 * reads again.
 */
export function startTsWorker(module: URL, data: unknown): Worker {
  const workerData = { module: module.href, data };
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData });
  return new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { workerData });
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
