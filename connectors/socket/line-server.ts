import { createServer, type Server } from 'node:net';

/**
 * A TCP sender on loopback, like `nc -lk`: sends its lines to whoever
 * connects, continuing after the last line sent on a previous connection
 * (a sender never sends a line twice), then closes the connection.
 * It waits while the receiver does not read (backpressure), like `nc`; what
 * is in the connection when the receiver dies is gone: the seed's plain receiver.
 */
export async function startLineServer(
  lines: readonly string[],
  options: { keepOpen?: boolean; burst?: number; pauseMs?: number } = {},
): Promise<{ port: number; connections: () => number; sent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  let connections = 0;
  const open = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
    // Send in bursts with pauses (a live stream), or all at once; then close unless asked to stay open.
    const burst = options.burst ?? lines.length;
    const sendNext = () => {
      // A receiver that went away stops the feed; the next connection continues after the last line sent.
      if (socket.destroyed || !socket.writable) return;
      const chunk = lines.slice(sent, sent + burst);
      sent += chunk.length;
      const flowing = chunk.length === 0 || socket.write(chunk.map((l) => `${l}\n`).join(''));
      const next = () =>
        sent < lines.length ? setTimeout(sendNext, options.pauseMs ?? 0) : !options.keepOpen && socket.end();
      // Like nc, a sender waits while the receiver does not read (TCP backpressure) instead of buffering the rest.
      if (flowing) next();
      else socket.once('drain', next);
    };
    sendNext();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections: () => connections,
    sent: () => sent,
    close: () => {
      open.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
