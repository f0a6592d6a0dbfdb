/**
 * The TCP sockets a process holds or listens on, read from Linux's /proc: its socket
 * inodes (/proc/<pid>/fd) matched to /proc/net/tcp and tcp6. What a server
 * says about itself is not trusted: Beam's job server logged 127.0.0.1 while
 * it listened on every interface.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A TCP socket in LISTEN state, and the process that holds it. */
export interface Listener {
  readonly pid: number;
  readonly address: string;
  readonly port: number;
}

const listenState = '0A';

/** /proc/net/tcp{,6} write each 32-bit word of an address in the host's (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse();
}

/** "0100007F" → 127.0.0.1; 32 hex digits → an IPv6 address (IPv4-mapped ones as ::ffff:a.b.c.d). */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}

/** The socket inodes a process holds open (its fds that link to "socket:[inode]"); none once it is gone. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // The fd closed while we looked.
    }
  }
  return inodes;
}

/** A TCP socket in any state: its own end, and the peer's (the wildcard, port 0, while it listens). */
export interface TcpSocket {
  readonly pid: number;
  readonly state: 'listen' | 'other';
  readonly local: { readonly address: string; readonly port: number };
  readonly remote: { readonly address: string; readonly port: number };
}

type Row = Omit<TcpSocket, 'pid'>;

const endpoint = (field: string) => {
  const [address, port] = field.split(':');
  return { address: decodeAddress(address!), port: parseInt(port!, 16) };
};

/** Every TCP socket (IPv4 and IPv6) of the network namespace, by inode. */
function tcpByInode(): Map<string, Row> {
  const byInode = new Map<string, Row>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'].filter((t) => existsSync(t))) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // Inode 0: a socket in TIME_WAIT, which no process holds any more.
      if (fields.length < 10 || fields[9] === '0') continue;
      byInode.set(fields[9]!, {
        state: fields[3] === listenState ? 'listen' : 'other',
        local: endpoint(fields[1]!),
        remote: endpoint(fields[2]!),
      });
    }
  }
  return byInode;
}

/** Every TCP socket the given processes hold: listening, connected, connecting (none known without /proc). */
export function socketsOf(pids: readonly number[]): TcpSocket[] {
  const byInode = tcpByInode();
  return pids.flatMap((pid) =>
    [...socketInodes(pid)].flatMap((inode) => {
      const socket = byInode.get(inode);
      return socket ? [{ pid, ...socket }] : [];
    }),
  );
}

/** The listening sockets the given processes hold (none known without /proc). */
export function listenersOf(pids: readonly number[]): Listener[] {
  return socketsOf(pids)
    .filter((s) => s.state === 'listen')
    .map((s) => ({ pid: s.pid, ...s.local }));
}

/** `pid` and every process below it (children, their children…), from each process's parent in /proc/<pid>/stat. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of existsSync('/proc') ? readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the parent pid is the second field after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree: number[] = [];
  const visit = (p: number) => {
    tree.push(p);
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return tree;
}
