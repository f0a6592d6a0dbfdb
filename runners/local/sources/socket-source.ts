import type { SocketReceiver } from './socket-receiver.ts';
import type { SourceReader } from './source-reader.ts';
import { WalReader, type WalPosition } from './wal.ts';

/** Reads a plain receiver's in-memory queue: nothing can be replayed, so the position is only a count. */
export function receiverSource(receiver: SocketReceiver): SourceReader {
  let taken = 0;
  return {
    async read(max) {
      receiver.check();
      const values = receiver.queue.splice(0, max);
      receiver.taken();
      const first = taken;
      taken += values.length;
      return { values, position: (i) => `${receiver.address} line ${first + i + 1}`, done: receiver.ended && receiver.queue.length === 0 && values.length === 0 };
    },
    position: () => taken,
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
