import type { InputConnector } from '../../runtime/sources/input-connector.ts';
import { SocketReceiver } from './socket-receiver.ts';

/**
 * `source.socket(...)`: a receiver of one run, with its WAL when the pipeline asks for one. A socket has
 * no end to read to, so it has no bounded read (the Beam runner refuses it before asking).
 */
export const socketInputConnector: InputConnector = {
  connector: 'socket',
  open({ source }, settings) {
    const receiver = new SocketReceiver({
      host: String(source.options.host),
      port: Number(source.options.port),
      walDir: source.wal?.dir,
      acknowledge: source.wal?.acknowledge,
      log: settings.log,
      attempts: settings.connectAttempts,
      maxQueued: settings.maxQueued,
      crashMidAppend: settings.crashMidAppend,
    });
    return {
      start: () => receiver.start(),
      reader: (from) => receiver.reader(from),
      close: async () => receiver.close(),
    };
  },
};
