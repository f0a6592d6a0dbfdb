import type { SocketReceiver } from './socket-receiver.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';
import { WalReader, type WalPosition } from './wal.ts';

/**
 * Reads a plain receiver's in-memory queue. A crash loses what it held; a batch replayed in the same
 * process (its writes failed) gets its lines again from the receiver, which keeps them until checkpointed.
 */
export function receiverSource(receiver: SocketReceiver, from: unknown): SourceReader {
  receiver.rewind(typeof from === 'number' ? from : undefined);
  return {
    async read(max) {
      receiver.check();
      const { lines, first } = receiver.take(max);
      return {
        values: lines,
        position: (i) => `${receiver.address} line ${first + i + 1}`,
        done: receiver.ended && receiver.queue.length === 0 && lines.length === 0,
      };
    },
    position: () => receiver.position,
    checkpointed: (position) => receiver.acknowledged(position as number),
    async close() {},
  };
}

/** Reads a receiver's write-ahead log from a checkpointed position: after a crash, what was received is replayed. */
export function walSource(receiver: SocketReceiver, walDir: string, from: unknown): SourceReader {
  const wal = new WalReader(walDir, from as WalPosition | undefined);
  return {
    async read(max) {
      receiver.check();
      const batch = wal.read(max);
      return { ...batch, done: receiver.ended && batch.values.length === 0 };
    },
    position: () => wal.position,
    checkpointed: (position) => wal.truncateBefore(position as WalPosition),
    async close() {},
  };
}
