/**
 * The kafkajs consumer of a `KafkaInput`, in its own thread. Decoding
 * Kafka's record batches costs about as much CPU as the rest of a pipeline
 * together; here it runs on a second core while the runner's thread parses
 * and aggregates (`npm run bench -- kafka-cassandra`). It only fetches and
 * unpacks record batches, passing the values on as bytes; offsets, replays,
 * the buffer and its backpressure stay with the runner, which sends the
 * commands of `consumer-protocol.ts`. Its one decision of its own: pausing
 * while the runner's thread has not taken what was posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka } from 'kafkajs';
import { workerInput } from '../ts-worker.ts';
import type { ConsumerCommand, ConsumerEvent, ConsumerThreadInput } from './consumer-protocol.ts';

const input = workerInput<ConsumerThreadInput>(workerData);
const port = parentPort!;
const post = (event: ConsumerEvent) => port.postMessage(event);
const topic = [{ topic: input.topic }];

// A short fetch wait: after a backpressure pause, kafkajs otherwise idles for its default 5 s before fetching again.
const consumer = new Kafka(input.client).consumer({
  groupId: input.groupId,
  sessionTimeout: 30_000,
  rebalanceTimeout: 30_000,
  heartbeatInterval: 3_000,
  allowAutoTopicCreation: true,
  maxWaitTimeInMs: 100,
  maxBytesPerPartition: input.fetchBytes,
});
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
  post({ type: 'joined', partitions: payload.memberAssignment[input.topic] ?? [], memberId: payload.memberId }),
);
// kafkajs restarts itself after retriable errors (a coordinator still loading, a rebalance): the runner decides about the rest.
consumer.on(consumer.events.CRASH, ({ payload }) =>
  post({ type: 'crash', message: payload.error.message, restart: payload.restart }),
);

/**
 * Two reasons to pause: the runner's buffer is full (it says so), or the
 * runner's thread has not even taken what was posted — it is busy with a
 * batch, and messages would pile up in the queue between the threads
 * without bound. Fetching resumes when neither holds.
 */
let pausedByRunner = false;
let inFlight = 0;
let paused = false;
function updatePause(): void {
  const want = pausedByRunner || inFlight >= input.maxInFlight;
  if (want === paused) return;
  paused = want;
  if (want) consumer.pause(topic);
  else consumer.resume(topic);
}

/** Per partition, the epoch of the last seek applied here: posted with every batch so that the runner can tell stale ones. */
const seekEpochs = new Map<number, number>();

async function run(): Promise<void> {
  await consumer.subscribe({ topic: input.topic, fromBeginning: true });
  await consumer.run({
    // Resolving moves kafkajs's fetch position past what was decoded; committing stays the runner's (after checkpoints).
    autoCommit: false,
    eachBatchAutoResolve: true,
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs declares eachBatch as a method; this one is an arrow function
    eachBatch: async ({ batch, isStale }) => {
      // Fetched before a seek that kafkajs has not applied yet: its records lie on the far side of the seek, never post them.
      if (isStale()) return;
      const messages = batch.messages;
      const n = messages.length;
      let size = 0;
      for (const m of messages) size += m.value?.length ?? 0;
      // Values copied into one buffer of its own, transferred with the offsets: no per-message strings or cloning here.
      const bytes = Buffer.allocUnsafeSlow(size);
      const offsets = new Float64Array(n);
      const ends = new Uint32Array(n);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const message = messages[i]!;
        offsets[i] = Number(message.offset);
        if (message.value) at += message.value.copy(bytes, at);
        ends[i] = at;
      }
      const event: ConsumerEvent = {
        type: 'batch',
        partition: batch.partition,
        high: Number(batch.highWatermark),
        epoch: seekEpochs.get(batch.partition) ?? 0,
        offsets,
        ends,
        bytes: bytes.buffer,
      };
      port.postMessage(event, [bytes.buffer, offsets.buffer, ends.buffer]);
      inFlight += n;
      updatePause();
    },
  });
}

async function handle(command: ConsumerCommand): Promise<void> {
  switch (command.type) {
    case 'connect':
      return consumer.connect();
    case 'run':
      return run();
    case 'commit':
      return consumer.commitOffsets(
        command.offsets.map((o) => ({ topic: input.topic, partition: o.partition, offset: String(o.offset) })),
      );
    case 'disconnect':
      return consumer.disconnect();
    case 'seek':
      seekEpochs.set(command.partition, command.epoch);
      return consumer.seek({ topic: input.topic, partition: command.partition, offset: String(command.offset) });
    case 'pause':
    case 'resume':
      pausedByRunner = command.type === 'pause';
      return updatePause();
    case 'taken':
      inFlight -= command.count;
      return updatePause();
  }
}

port.on('message', (command: ConsumerCommand) => {
  void handle(command).then(
    () => {
      if ('id' in command) post({ type: 'reply', id: command.id });
    },
    (error: Error) => {
      if ('id' in command) post({ type: 'reply', id: command.id, error: error.message });
      else post({ type: 'crash', message: error.message, restart: false });
    },
  );
});
