import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import { RemoteGrpcPort } from 'apache-beam/proto/beam_fn_api';
import { BeamFnControlClient } from 'apache-beam/proto/beam_fn_api.grpc-client';
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

/** Two fixes to apache-beam 2.49's TypeScript worker, applied once before the first job (see each). */
export function fixBeamSdk(): void {
  if (applied) return;
  swapBufferBeforeSend();
  listenToControlErrors();
  applied = true;
}
