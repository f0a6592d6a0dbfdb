import type { Worker } from 'node:worker_threads';
import { RunnerError } from '../../runtime/runner-error.ts';
import { siblingModule, startTsWorker } from '../ts-worker.ts';
import type {
  ConsumerCommand,
  ConsumerEvent,
  ConsumerRequest,
  ConsumerThreadInput,
  FetchedBatch,
} from './consumer-protocol.ts';

/** What the client passes on from the consumer thread. */
export interface ConsumerListener {
  batch(batch: FetchedBatch): void;
  /** The group (re)assigned partitions to this member. */
  joined(partitions: readonly number[], memberId: string): void;
  /** The consumer failed for good (the thread died, or gave up): every call waiting is rejected too. */
  failed(error: Error): void;
  log(line: string): void;
}

/**
 * The runner's side of the consumer thread (consumer-thread.ts): starts it, sends it commands, matches
 * its replies to the calls waiting for them, and turns its death or its crash into one failure.
 */
export class ConsumerClient {
  readonly #topic: string;
  readonly #listener: ConsumerListener;
  #thread: Worker | undefined;
  #closing = false;
  readonly #calls = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #nextCall = 1;
  #failure: Error | undefined;

  constructor(topic: string, listener: ConsumerListener) {
    this.#topic = topic;
    this.#listener = listener;
  }

  /** Throws the consumer's failure, if it failed. */
  check(): void {
    if (this.#failure) throw this.#failure;
  }

  start(input: ConsumerThreadInput): void {
    const topic = this.#topic;
    const thread = startTsWorker(siblingModule('consumer-thread', import.meta.url), input);
    this.#thread = thread;
    thread.on('message', (event: ConsumerEvent) => this.#onEvent(event));
    thread.on('error', (error) =>
      this.fail(new RunnerError(`source.kafka: the consumer thread for ${topic} failed: ${error.message}`)),
    );
    thread.on('exit', (code) => {
      if (!this.#closing)
        this.fail(new RunnerError(`source.kafka: the consumer thread for ${topic} stopped (exit code ${code})`));
    });
  }

  fail(error: Error): void {
    this.#failure ??= error;
    for (const call of this.#calls.values()) call.reject(error);
    this.#calls.clear();
    this.#listener.failed(error);
  }

  send(command: ConsumerCommand): void {
    this.#thread?.postMessage(command);
  }

  /** Sends a command and waits for the consumer thread's answer. */
  call(request: ConsumerRequest): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#thread)
      return Promise.reject(new RunnerError(`source.kafka: the input for ${this.#topic} was not started`));
    const id = this.#nextCall++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      this.send({ ...request, id });
    });
  }

  /** Leaves the group (so a successor gets the partitions at once) and stops the thread; at most 10 s for the leaving. */
  async close(): Promise<void> {
    const thread = this.#thread;
    if (!thread || this.#closing) return;
    this.#closing = true;
    await Promise.race([
      this.call({ type: 'disconnect' }).catch(() => {}),
      new Promise((r) => setTimeout(r, 10_000).unref()),
    ]);
    await thread.terminate();
  }

  #onEvent(event: ConsumerEvent): void {
    switch (event.type) {
      case 'batch':
        return this.#listener.batch(event);
      case 'reply': {
        const call = this.#calls.get(event.id);
        this.#calls.delete(event.id);
        if (event.error === undefined) call?.resolve();
        else call?.reject(new Error(event.error));
        return;
      }
      case 'joined':
        return this.#listener.joined(event.partitions, event.memberId);
      case 'crash':
        if (event.restart) this.#listener.log(`source.kafka: consumer restarting after: ${event.message}`);
        else this.fail(new RunnerError(`source.kafka: consumer for ${this.#topic} failed: ${event.message}`));
        return;
    }
  }
}
