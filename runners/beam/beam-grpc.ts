import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import type { GrpcTransport as Transport } from '@protobuf-ts/grpc-transport';

/**
 * apache-beam's own gRPC libraries, resolved through apache-beam: its
 * generated service definitions and clients work with the gRPC instance it
 * was built against, and idemflow adds no gRPC dependency of its own (both
 * come with the optional apache-beam peer dependency).
 */
const fromBeam = createRequire(createRequire(import.meta.url).resolve('apache-beam'));

export const grpc = fromBeam('@grpc/grpc-js') as typeof Grpc;
export const { GrpcTransport } = fromBeam('@protobuf-ts/grpc-transport') as { GrpcTransport: typeof Transport };

/** A client transport to `address` (host:port), without TLS: Beam's worker-pool API has none. */
export function transportTo(address: string): Transport {
  return new GrpcTransport({ host: address, channelCredentials: grpc.ChannelCredentials.createInsecure() });
}
