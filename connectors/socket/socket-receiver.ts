import { Socket } from 'node:net';
import { connectWithBackoff } from '../connect-with-backoff.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { LiveInput, SourceReader } from '../../runtime/sources/source-reader.ts';
import { receiverSource, walSource } from './socket-source.ts';
import { WalWriter } from './wal.ts';

export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
  /** When set, received lines are logged here (and fsynced) before they count as received. */
  readonly walDir?: string;
  /** With a WAL: write `logged <n>` back to the sender on connecting and after each append (`.withWal({ acknowledge })`). */
  readonly acknowledge?: boolean;
  readonly log: (line: string) => void;
  /** Connection attempts before giving up (default 10), with doubling backoff from 200 ms. */
  readonly attempts?: number;
  /**
   * Without a WAL: stop reading the socket while this many lines wait (default 10,000). The rest then
   * waits at the sender, through TCP backpressure, instead of in memory, where a crash would lose it.
   */
  readonly maxQueued?: number;
  /** The fault `crash-mid-append`: this run's `append`-th WAL append is torn (half written, unsynced) and `crash` strikes. */
  readonly crashMidAppend?: { readonly append: number; readonly crash: () => never };
}

/**
 * A TCP line receiver (the seed's socketTextStream): connects to a sender and
 * takes each line as a record. Without a WAL, received lines wait in memory
 * and a crash loses them — the seed's plain receiver. With a WAL, each chunk
 * is appended and fsynced first; with `acknowledge`, the receiver then writes
 * back `logged <n>` — n lines of this input in the log, counted since the log
 * began — on connecting and after each append, so a sender that reconnects
 * after a crash resumes at line n and what was in the connection is sent
 * again, never lost or logged twice. The sender closing the connection ends
 * the input.
 */
export class SocketReceiver implements LiveInput {
  /** Lines received and not yet read (no-WAL mode). */
  readonly queue: string[] = [];
  /**
   * Lines handed out since the last checkpoint (no-WAL mode): a batch whose writes failed is replayed from
   * here while the process lives — retry-safe inside the process, as the seed says of plain aggregates.
   */
  #unacked: string[] = [];
  /** Position of #unacked[0]; positions count lines handed out, continuing across restarts for messages. */
  #unackedFrom = 0;
  #position = 0;
  received = 0;
  ended = false;
  #socket: Socket | undefined;
  #wal: WalWriter | undefined;
  #partial = '';
  #failure: Error | undefined;
  #appends = 0;

  constructor(readonly options: ReceiverOptions) {
    if (options.walDir) this.#wal = new WalWriter(options.walDir);
  }

  /** A reader from a checkpointed position: the WAL's when there is one, else the in-memory queue's. */
  reader(from: unknown): SourceReader {
    return this.options.walDir ? walSource(this, this.options.walDir, from) : receiverSource(this, from);
  }

  get #acknowledging(): boolean {
    return this.#wal !== undefined && this.options.acknowledge === true;
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Throws the connection failure, if the receiver gave up. */
  check(): void {
    if (this.#failure) throw this.#failure;
  }

  async start(): Promise<void> {
    this.#socket = await connectWithBackoff(() => this.#connect(), {
      what: `source.socket: cannot reach ${this.address}`,
      attempts: this.options.attempts ?? 10,
      firstWaitMs: 200,
      maxWaitMs: 5_000,
      hint: 'is the sender listening?',
      log: this.options.log,
      reason: (error) => (error as NodeJS.ErrnoException).code ?? (error as Error).message,
    });
  }

  #connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.setEncoding('utf8');
      socket.once('error', reject);
      socket.connect(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        socket.on('error', (error) => {
          this.#failure = new RunnerError(`source.socket: connection to ${this.address} failed: ${error.message}`);
        });
        socket.on('data', (chunk: string) => this.#receive(chunk));
        // Where the sender resumes: every line before it is in the log.
        if (this.#acknowledging) socket.write(`logged ${this.#wal!.logged}\n`);
        socket.on('end', () => {
          // Ended first: the sender has closed, so the last line is logged without an acknowledgement (a write
          // after its FIN fails the connection).
          this.ended = true;
          if (this.#partial !== '') this.#accept([this.#partial]);
          this.#partial = '';
        });
        resolve(socket);
      });
    });
  }

  #receive(chunk: string): void {
    if (this.#failure) return;
    const text = this.#partial + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.#partial = text;
      return;
    }
    this.#partial = text.slice(end + 1);
    this.#accept(
      text
        .slice(0, end)
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        // The log keeps empty lines, so that it counts lines as the sender does (its reader skips them).
        .filter((l) => this.#wal !== undefined || l !== ''),
    );
  }

  #accept(lines: string[]): void {
    this.received += lines.length;
    if (this.#wal) {
      if (++this.#appends === this.options.crashMidAppend?.append) return this.#dieMidAppend(lines);
      this.#wal.append(lines);
      if (this.#acknowledging && !this.ended) this.#socket?.write(`logged ${this.#wal.logged}\n`);
      return;
    }
    this.queue.push(...lines);
    if (this.queue.length >= (this.options.maxQueued ?? 10_000)) this.#socket?.pause();
  }

  /** Tears this append and dies: the CLI's crash exits at once; in-process, the crash is thrown at the next read. */
  #dieMidAppend(lines: readonly string[]): void {
    this.#wal!.tornAppend(lines);
    this.#socket?.destroy();
    try {
      this.options.crashMidAppend!.crash();
    } catch (error) {
      this.#failure = error as Error;
    }
  }

  /** Called after lines were taken from the queue: reading resumes once half of it has room again. */
  taken(): void {
    if (this.#socket?.isPaused() && this.queue.length < (this.options.maxQueued ?? 10_000) / 2) this.#socket.resume();
  }

  /** The position of the next line to hand out. */
  get position(): number {
    return this.#position;
  }

  /** Hands out up to `max` lines, keeping them until a checkpoint covers them. */
  take(max: number): { lines: string[]; first: number } {
    const lines = this.queue.splice(0, max);
    this.#unacked.push(...lines);
    const first = this.#position;
    this.#position += lines.length;
    this.taken();
    return { lines, first };
  }

  /**
   * Back to a checkpointed position: the lines handed out after it are queued again. Without a
   * position (no checkpoint yet), back to the oldest kept. A position from an earlier process only
   * sets the numbering: what that process held in memory is gone.
   */
  rewind(to: number | undefined): void {
    const target = to ?? this.#unackedFrom;
    const back = target - this.#unackedFrom;
    if (back >= 0 && back < this.#unacked.length) {
      this.queue.unshift(...this.#unacked.splice(back));
      this.#position = target;
    } else if (this.#position === 0 && this.#unacked.length === 0) {
      this.#position = this.#unackedFrom = target;
    }
  }

  /** A checkpoint covers everything before `position`: those lines are never replayed again. */
  acknowledged(position: number): void {
    const covered = position - this.#unackedFrom;
    if (covered <= 0) return;
    this.#unacked.splice(0, covered);
    this.#unackedFrom = position;
  }

  /** Drops the connection as a dying process would: nothing is flushed or acknowledged. */
  close(): void {
    this.#socket?.destroy();
    this.#wal?.close();
  }
}
