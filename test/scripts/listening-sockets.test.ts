import { connect, createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeAddress, isLoopback, listenersOf, socketsOf } from '../../scripts/servers/listeners.ts';

const listen = (address: string) =>
  new Promise<Server>((resolve) => {
    const server = createServer();
    server.listen(0, address, () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('the listening-socket reader the loopback test relies on', () => {
  it('decodes /proc/net addresses, IPv4 and IPv6', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('0500000A')).toBe('10.0.0.5');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('::');
  });

  it('tells loopback from the rest, the IPv4-mapped disguise included', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.5', '::ffff:10.0.0.5', '::ffff:0.0.0.0', '128.0.0.1']) {
      expect(isLoopback(a), a).toBe(false);
    }
  });

  it("finds this process's listeners and their addresses: a wildcard one is caught, a loopback one passes", async () => {
    const wildcard = await listen('::');
    const loopback = await listen('127.0.0.1');
    try {
      const mine = listenersOf([process.pid]);
      const at = (port: number) => mine.find((l) => l.port === port);
      expect(at(portOf(wildcard))).toMatchObject({ pid: process.pid, address: '::' });
      expect(isLoopback(at(portOf(wildcard))!.address)).toBe(false);
      expect(at(portOf(loopback))).toMatchObject({ pid: process.pid, address: '127.0.0.1' });
    } finally {
      wildcard.close();
      loopback.close();
    }
  });

  it('finds connected sockets too, with both ends: the client side of a loopback connection and the accepted one', async () => {
    const server = await listen('127.0.0.1');
    const accepted = new Promise<void>((resolve) => server.once('connection', () => resolve()));
    const client = connect(portOf(server), '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    await accepted;
    try {
      const mine = socketsOf([process.pid]).filter((s) => s.state === 'other');
      const clientPort = client.localPort!;
      expect(mine).toContainEqual({
        pid: process.pid,
        state: 'other',
        local: { address: '127.0.0.1', port: clientPort },
        remote: { address: '127.0.0.1', port: portOf(server) },
      });
      // The accepted end: local is the listener's port, remote the client's.
      expect(mine).toContainEqual(
        expect.objectContaining({
          local: expect.objectContaining({ port: portOf(server) }),
          remote: expect.objectContaining({ port: clientPort }),
        }),
      );
      // And listenersOf still sees only the listener.
      expect(listenersOf([process.pid]).filter((l) => l.port === clientPort)).toEqual([]);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
