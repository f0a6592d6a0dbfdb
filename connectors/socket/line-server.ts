import { createServer, type Server, type Socket } from 'node:net';

export interface LineServerOptions {
  /** Stay connected after the last line (a live stream that has paused). */
  readonly keepOpen?: boolean;
  /** Lines a burst, with `pauseMs` between bursts (default: all at once). */
  readonly burst?: number;
  readonly pauseMs?: number;
  /**
   * Resume where the receiver's write-ahead log says (`logged <n>`, sent on
   * connecting and after each append) instead of after the last line sent:
   * what was in a connection when the receiver died is sent again. Only for a
   * receiver with a WAL (a plain receiver says nothing, and this sender would wait).
   */
  readonly resume?: boolean;
}

export interface LineServer {
  readonly port: number;
  readonly connections: () => number;
  readonly sent: () => number;
  /** Lines the receiver acknowledged as logged (with `resume`). */
  readonly acknowledged: () => number;
  readonly close: () => Promise<void>;
}

/**
 * A TCP sender on loopback, like `nc -lk`: sends its lines to whoever
 * connects, continuing after the last line sent on a previous connection
 * (a sender never sends a line twice), then closes the connection.
 * It waits while the receiver does not read (backpressure), like `nc`; what
 * is in the connection when the receiver dies is gone: the seed's plain
 * receiver — unless `resume` makes it a client that re-sends what the
 * receiver did not acknowledge.
 */
export async function startLineServer(lines: readonly string[], options: LineServerOptions = {}): Promise<LineServer> {
  let sent = 0;
  let acknowledged = 0;
  let connections = 0;
  const open = new Set<Socket>();
  const feedFrom = (socket: Socket, from: number) =>
    feed(socket, lines, options, from, (next) => (sent = Math.max(sent, next)));
  const server: Server = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
    socket.setEncoding('utf8');
    if (!options.resume) {
      socket.resume(); // whatever the receiver says is not read; it must not pile up either
      return feedFrom(socket, sent);
    }
    hearLogged(
      socket,
      (logged) => (acknowledged = logged),
      (from) => feedFrom(socket, from),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections: () => connections,
    sent: () => sent,
    acknowledged: () => acknowledged,
    close: () => {
      open.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads the receiver's `logged <n>` lines: each is an acknowledgement; the first starts the feed from line n. */
function hearLogged(socket: Socket, acknowledged: (logged: number) => void, start: (from: number) => void): void {
  let heard = '';
  let started = false;
  socket.on('data', (chunk: string) => {
    heard += chunk;
    const said = [...heard.matchAll(/logged (\d+)\n/g)].map((m) => Number(m[1]));
    heard = heard.slice(heard.lastIndexOf('\n') + 1);
    if (said.length === 0) return;
    acknowledged(said.at(-1)!);
    if (started) return;
    started = true;
    start(said[0]!);
  });
}

/** Sends from line `from` on, in bursts, waiting for drain; then closes unless asked to stay open. */
function feed(
  socket: Socket,
  lines: readonly string[],
  options: LineServerOptions,
  from: number,
  sentUpTo: (next: number) => void,
): void {
  let next = from;
  const burst = options.burst ?? lines.length;
  const sendNext = () => {
    // A receiver that went away stops the feed; the next connection continues after the last line sent.
    if (socket.destroyed || !socket.writable) return;
    const chunk = lines.slice(next, next + burst);
    next += chunk.length;
    sentUpTo(next);
    const flowing = chunk.length === 0 || socket.write(chunk.map((l) => `${l}\n`).join(''));
    const after = () =>
      next < lines.length ? setTimeout(sendNext, options.pauseMs ?? 0) : !options.keepOpen && socket.end();
    // Like nc, a sender waits while the receiver does not read (TCP backpressure) instead of buffering the rest.
    if (flowing) after();
    else socket.once('drain', after);
  };
  sendNext();
}
