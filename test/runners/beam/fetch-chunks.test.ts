/**
 * The operator that fetches input chunks from the submitter on an external
 * worker (runners/beam/fetch-chunks.ts), driven as Beam's data source drives
 * it: each element's `process`, awaiting what it returns, then `finishBundle`.
 * Against a stand-in input server whose answers come late or fail on purpose.
 * No servers needed.
 */
import '../../../runners/beam/node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PTransform } from 'apache-beam/proto/beam_runner_api';
import { NonPromise, type OperatorContext } from 'apache-beam/worker/operators';
import type { WindowedValue } from 'apache-beam/values';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchChunksOperator } from '../../../runners/beam/fetch-chunks.ts';

type Handler = (index: number, response: ServerResponse, request: IncomingMessage) => void;

let server: Server | undefined;

/** An input server whose chunk `i` is `[{ i }]`, answered as `handler` decides. */
async function inputServer(handler: Handler): Promise<string> {
  server = createServer((request, response) => handler(Number(request.url!.slice(1)), response, request));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const answer = (index: number, response: ServerResponse) =>
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ i: index, v: index }]));

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Runs one bundle of `indices` through the operator as Beam's data source does; returns what it handed on. */
async function bundle(url: string, indices: readonly number[], ahead?: number): Promise<number[]> {
  const received: number[] = [];
  const context = {
    getReceiver: () => ({
      receive: (element: WindowedValue<{ i: number }[]>) => {
        received.push(...element.value.map((r) => r.i));
        return NonPromise;
      },
    }),
  } as unknown as OperatorContext;
  const transform = { outputs: { out: 'chunks' } } as unknown as PTransform;
  const operator = new FetchChunksOperator('fetch', url, transform, context, ahead);
  await operator.startBundle();
  for (const index of indices) {
    const result = operator.process({ value: index, windows: [], timestamp: undefined, pane: undefined } as never);
    if (result !== NonPromise) await result;
  }
  await operator.finishBundle();
  return received;
}

const indices = Array.from({ length: 12 }, (_, i) => i);

describe('fetching input chunks on an external worker', () => {
  it('keeps several fetches in flight, and hands the chunks on in their order when they arrive out of order', async () => {
    const asked: number[] = [];
    const held: (() => void)[] = [];
    const url = await inputServer((index, response) => {
      asked.push(index);
      // An even chunk is answered only after the odd one after it: a worker fetching one chunk at a time waits forever.
      if (index % 2 === 0) return void held.push(() => answer(index, response));
      answer(index, response);
      setTimeout(() => held.splice(0).forEach((release) => release()), 20);
    });
    expect(await bundle(url, indices, 4)).toEqual(indices);
    expect([...asked].sort((a, b) => a - b)).toEqual(indices);
  });

  it('a chunk whose first fetch fails is fetched again, once', async () => {
    const tries = new Map<number, number>();
    const url = await inputServer((index, response, request) => {
      tries.set(index, (tries.get(index) ?? 0) + 1);
      if (index === 5 && tries.get(index) === 1) return void request.socket.destroy();
      if (index === 7 && tries.get(index) === 1) return void response.writeHead(503).end('busy');
      answer(index, response);
    });
    expect(await bundle(url, indices, 4)).toEqual(indices);
    expect(tries.get(5)).toBe(2);
    expect(tries.get(7)).toBe(2);
    expect(tries.get(6)).toBe(1);
  });

  it('a chunk that fails twice fails the bundle, naming the chunk and the reason', async () => {
    const url = await inputServer((index, response) =>
      index === 3 ? void response.writeHead(500).end('no such input') : answer(index, response),
    );
    await expect(bundle(url, indices, 4)).rejects.toThrow(
      `idemflow worker: input chunk ${url}3: HTTP 500 no such input`,
    );
  });
});
