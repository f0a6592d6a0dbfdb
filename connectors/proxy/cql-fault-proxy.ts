import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { SeededRandom } from '../../runtime/seeded-random.ts';

/** CQL native protocol v4 frame header: version, flags, stream (int16), opcode, body length (int32). */
const headerLength = 9;
const opcode = { query: 0x07, prepare: 0x09, execute: 0x0a, batch: 0x0d } as const;

export interface FaultProxyOptions {
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** Probability that the response to an EXECUTE or BATCH is swallowed: the write lands, its acknowledgement is lost. */
  readonly dropResponseRate?: number;
  /** Delay added to every response (ms). */
  readonly delayMs?: number;
  readonly seed?: number;
}

export interface FaultProxy {
  readonly port: number;
  readonly stats: { forwardedRequests: number; swallowedResponses: number; cutConnections: number };
  /** Drops every open connection, as a network partition or a node restart would. */
  cutConnections(): void;
  setDropResponseRate(rate: number): void;
  close(): Promise<void>;
}

/** Splits a byte stream into whole frames, keeping the remainder for the next chunk. */
function frameSplitter(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= headerLength) {
      const total = headerLength + pending.readInt32BE(5);
      if (pending.length < total) break;
      onFrame(pending.subarray(0, total));
      pending = pending.subarray(total);
    }
  };
}

/**
 * A TCP proxy on loopback between a driver and Cassandra that injects the
 * faults the seed is about: a request goes through and is applied, but its
 * response is swallowed, so the client times out and retries a write that
 * already landed. Only EXECUTE and BATCH responses are dropped (the writes);
 * the driver's own control queries pass. Speaks protocol v4 framing: clients
 * must cap `protocolOptions.maxVersion` at 4.
 */
export async function startCqlFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = new SeededRandom(options.seed ?? 1);
  let dropRate = options.dropResponseRate ?? 0;
  const stats = { forwardedRequests: 0, swallowedResponses: 0, cutConnections: 0 };
  const open = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: options.upstreamHost, port: options.upstreamPort });
    open.add(client).add(upstream);
    /** Stream ids whose next response is to be swallowed. */
    const doomed = new Set<number>();
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);

    client.on(
      'data',
      frameSplitter((frame) => {
        const op = frame.readUInt8(4);
        if (op === opcode.execute || op === opcode.batch) {
          stats.forwardedRequests++;
          if (random.chance(dropRate)) doomed.add(frame.readInt16BE(2));
        }
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frameSplitter((frame) => {
        const stream = frame.readInt16BE(2);
        if (doomed.delete(stream)) {
          stats.swallowedResponses++;
          return;
        }
        if (options.delayMs) setTimeout(() => client.write(frame), options.delayMs);
        else client.write(frame);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    stats,
    cutConnections() {
      stats.cutConnections += open.size / 2;
      for (const s of open) s.destroy();
      open.clear();
    },
    setDropResponseRate: (rate) => void (dropRate = rate),
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
