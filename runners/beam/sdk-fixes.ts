import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import { RemoteGrpcPort } from 'apache-beam/proto/beam_fn_api';
import { BeamFnControlClient } from 'apache-beam/proto/beam_fn_api.grpc-client';
import { MultiplexingDataChannel } from 'apache-beam/worker/data';
import { createOperator } from 'apache-beam/worker/operators';

interface DataSink {
  buffer: { len: number; finish(): Uint8Array };
  channel: { sendData(data: Uint8Array): Promise<void> };
  flush(): Promise<void>;
}

let applied = false;

/**
 * apache-beam 2.49's worker listens to its control stream's data and end, not
 * its errors: when the runner ends the stream of a job that failed ("1
 * CANCELLED: Runner closed connection"), Node throws the unhandled 'error'
 * event and the whole process dies, in about one failed Flink job in three
 * here — the job's failure, reported by its state, would never be printed.
 * Every control stream gets a listener; the failure is the job state's to
 * report.
 */
function listenToControlErrors(): void {
  const prototype = BeamFnControlClient.prototype as unknown as { control(...args: unknown[]): NodeJS.EventEmitter };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the original is called back with its this (control.apply(this, args))
  const control = prototype.control;
  prototype.control = function (this: unknown, ...args: unknown[]) {
    const stream = control.apply(this, args);
    stream.on('error', (error: Error) => console.debug(`Beam control stream ended: ${error.message}`));
    return stream;
  };
}

/**
 * apache-beam 2.49's data sink (the operator that sends a bundle's output
 * from the TypeScript worker to the runner) flushes each megabyte like this:
 * `await send(buffer.finish()); buffer = new Writer()`. Elements the worker
 * encodes while the send is awaited go into the finished buffer and are
 * lost; on Flink the stream then fails to decode ("CoderException:
 * EOFException: reached end of stream"). Found by the conformance suite: a
 * windowed count over 18,000 events. The class is not exported, so its
 * prototype is reached through one operator built for the purpose, and its
 * flush replaced by one that swaps the buffer before it sends.
 */
function swapBufferBeforeSend(): void {
  const payload = RemoteGrpcPort.toBinary(
    RemoteGrpcPort.create({ apiServiceDescriptor: { url: 'unused' }, coderId: 'unused' }),
  );
  const context = {
    descriptor: { transforms: { probe: { spec: { urn: 'beam:runner:sink:v1', payload }, inputs: {}, outputs: {} } } },
    getReceiver: () => undefined,
    getDataChannel: () => undefined,
    getBundleId: () => 'probe',
    pipelineContext: { getCoder: () => undefined },
  };
  const probe = createOperator(
    'probe',
    context as unknown as Parameters<typeof createOperator>[1],
  ) as unknown as DataSink;
  const prototype = Object.getPrototypeOf(probe) as DataSink;
  if (typeof prototype.flush !== 'function')
    throw new Error('apache-beam changed its data sink: review runners/beam/sdk-fixes.ts');
  prototype.flush = async function flush(this: DataSink) {
    if (this.buffer.len === 0) return;
    const data = this.buffer.finish();
    this.buffer = new (this.buffer.constructor as new () => DataSink['buffer'])();
    await this.channel.sendData(data);
  };
}

/** What the data channel hands a bundle's input to: the data source operator, or a buffer until it registers. */
interface DataConsumer {
  sendData(data: Uint8Array): Promise<void>;
  sendTimers(timerFamilyId: string, timers: Uint8Array): Promise<void>;
  close(): void;
  onError(error: Error): void;
}

/** A consumer whose calls run one after the other, each once the previous one has settled. */
function inOrder(consumer: DataConsumer): DataConsumer {
  let last: Promise<void> = Promise.resolve();
  const after = (step: () => void | Promise<void>): Promise<void> => (last = last.catch(() => {}).then(step));
  return {
    sendData: (data) => after(() => consumer.sendData(data)),
    sendTimers: (family, timers) => after(() => consumer.sendTimers(family, timers)),
    close: () => void after(() => consumer.close()),
    onError: (error) => void after(() => consumer.onError(error)),
  };
}

/**
 * apache-beam 2.49's worker hands each gRPC message of a bundle's input to
 * the bundle's data source from an async 'data' listener, which Node does not
 * await: while one message's elements wait on an operator that returned a
 * promise (idemflow's chunk fetch, a sink flushing a megabyte), the next
 * message is delivered beside it, and the one with `isLast` closes the input
 * early. The bundle then finishes before those elements are processed, and
 * their results are lost without an error: found by a 10⁵-record count on
 * external workers that wrote 6 of its 50 keys. Each consumer's calls are
 * put in order here, so the close comes after every element before it.
 */
function deliverInOrder(): void {
  const prototype = MultiplexingDataChannel.prototype as unknown as {
    getConsumer(bundleId: string, transformId: string): DataConsumer;
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called back with its this
  const getConsumer = prototype.getConsumer;
  if (typeof getConsumer !== 'function')
    throw new Error('apache-beam changed its data channel: review runners/beam/sdk-fixes.ts');
  const ordered = new WeakMap<DataConsumer, DataConsumer>();
  prototype.getConsumer = function (this: unknown, bundleId: string, transformId: string) {
    const consumer = getConsumer.call(this, bundleId, transformId);
    let wrapped = ordered.get(consumer);
    if (!wrapped) ordered.set(consumer, (wrapped = inOrder(consumer)));
    return wrapped;
  };
}

/** Three fixes to apache-beam 2.49's TypeScript worker, applied once before the first job (see each). */
export function fixBeamSdk(): void {
  if (applied) return;
  swapBufferBeforeSend();
  listenToControlErrors();
  deliverInOrder();
  applied = true;
}
