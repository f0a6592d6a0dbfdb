import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startTsWorker } from '../../connectors/ts-worker.ts';

/** What the probe worker module reports: whether its thread can load TypeScript. */
async function probe(module: string): Promise<unknown> {
  const worker = startTsWorker(new URL(`../fixtures/workers/${module}`, import.meta.url), {});
  try {
    const [message] = await once(worker, 'message');
    return message;
  } finally {
    await worker.terminate();
  }
}

describe('startTsWorker', () => {
  it('gives a TypeScript worker module a TypeScript loader in its thread', async () => {
    expect(await probe('probe.ts')).toBe('typescript loads');
  });

  it("starts a JavaScript worker module (the built package's) without one: a loader thread costs seconds of start-up on a loaded machine", async () => {
    // Node 20 cannot import .ts at all; Node 22.18+ and 24 strip types natively but refuse an enum.
    expect(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX']).toContain(await probe('probe.mjs'));
  });
});
