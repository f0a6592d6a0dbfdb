import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jobServerHost as host } from '../../scripts/servers/config.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { chunkSize } from './dofns.ts';
import type { InputChunk, InputRecord, LocalInput } from './run-context.ts';

export interface InputServer {
  /** `http://host:port/`: chunk `i` is at `<url><i>`. */
  readonly url: string;
  /** How many chunks the input has: the job emits their indices, and workers fetch each where it lands. */
  readonly chunks: number;
  /** Chunks served so far (a worker fetching one twice, after a replay, counts twice). */
  readonly served: () => number;
  stop(): Promise<void>;
}

/** Chunk `index` of the input: `chunkSize` records from `index * chunkSize`, each with its source position. */
export function chunkOf(input: LocalInput, index: number): InputChunk {
  const chunk: InputRecord[] = [];
  const end = Math.min(input.values.length, (index + 1) * chunkSize);
  for (let i = index * chunkSize; i < end; i++) chunk.push({ i, v: input.values[i], p: input.positions(i) });
  return chunk;
}

/**
 * The submitter's bounded input, served over HTTP to workers outside its
 * process, a chunk a request. The job itself carries only the chunk
 * indices, so its size no longer grows with the input: with the records in
 * the job, gRPC's 4 MB message limit stopped a run at about 10⁵ records.
 * Each chunk is built when asked for (no second copy of the input is held),
 * and a worker fetches only the chunks the shuffle sent it. The workers
 * must reach the submitter, as the TaskManagers must with LOOPBACK.
 */
export async function startInputServer(input: LocalInput): Promise<InputServer> {
  const chunks = Math.ceil(input.values.length / chunkSize);
  let served = 0;
  const server: Server = createServer((request, response) => {
    const index = Number(/^\/(\d+)$/.exec(request.url ?? '')?.[1] ?? NaN);
    if (!(index >= 0 && index < chunks)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`no chunk ${request.url} (0–${chunks - 1})`);
      return;
    }
    served++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chunkOf(input, index)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new RunnerError(`cannot serve the input on ${host}: ${error.message}`)));
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    chunks,
    served: () => served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
