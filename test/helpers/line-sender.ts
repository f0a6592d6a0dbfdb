import { createServer, type Server } from 'node:net';

/**
 * A TCP sender on loopback, like `nc -lk`: sends its lines to whoever
 * connects, continuing after the last line sent on a previous connection
 * (a sender never sends a line twice), then closes the connection.
 */
export async function lineSender(lines: readonly string[]): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let sent = 0;
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    const rest = lines.slice(sent);
    sent = lines.length;
    socket.on('error', () => {});
    socket.end(rest.map((l) => `${l}\n`).join(''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
