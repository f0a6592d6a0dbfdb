import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import * as beam from 'apache-beam';
import { GeneralObjectCoder } from 'apache-beam/coders/js_coders';
import type { Pipeline } from 'apache-beam/internal/pipeline';
import { FunctionSpec, ParDoPayload, type PTransform } from 'apache-beam/proto/beam_runner_api';
import type { WindowedValue } from 'apache-beam/values';
import {
  NonPromise,
  registerOperatorConstructor,
  type IOperator,
  type OperatorContext,
  type ProcessResult,
  type Receiver,
} from 'apache-beam/worker/operators';
import type { InputChunk } from './run-context.ts';

/** The DoFn's URN inside a ParDo: not Beam's, so only a process that imported this module runs it (an SDK worker does). */
export const fetchChunksUrn = 'idemflow:dofn:fetch_input_chunks:v1';

/**
 * Turns chunk indices into the chunks, fetched from the submitter's input
 * server (`input-server.ts`) at `url`. A Beam DoFn cannot: its process is
 * synchronous in apache-beam 2.49, and a fetch is not. Beam's worker lets an
 * operator return a promise, which its data source awaits before the next
 * element, so this is an operator of its own. It is a ParDo to the runner
 * (Beam's pipeline fuser drops transforms whose URN it does not know as a
 * primitive: "PCollectionNodes … were consumed but never produced"), whose
 * DoFn has a URN of idemflow's, which the worker's ParDo constructor hands
 * to this operator.
 */
export function fetchChunks(url: string): beam.PTransform<beam.PCollection<number>, beam.PCollection<InputChunk>> {
  return beam.withName(
    'fetch chunks',
    (_input: beam.PCollection<number>, pipeline: Pipeline, transform: PTransform): beam.PCollection<InputChunk> => {
      const doFn = FunctionSpec.create({ urn: fetchChunksUrn, payload: new TextEncoder().encode(url) });
      transform.spec = FunctionSpec.create({
        urn: beam.parDo.urn,
        payload: ParDoPayload.toBinary(ParDoPayload.create({ doFn })),
      });
      return pipeline.createPCollectionInternal<InputChunk>(new GeneralObjectCoder());
    },
  );
}
/** What a failed fetch says: the chunk, the address, and why (the job fails with it as its cause). */
async function fetchOnce(url: string): Promise<InputChunk> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`idemflow worker: cannot fetch input chunk ${url} from the submitter (${cause})`);
  }
  if (!response.ok)
    throw new Error(`idemflow worker: input chunk ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as InputChunk;
}

/**
 * A chunk, asked for again once if the first try fails (a connection the submitter's server closed
 * between two requests, a submitter busy for a moment): one lost request would otherwise fail the job,
 * which on a bounded input has no checkpoint to resume from. A second failure is the job's.
 */
export async function fetchChunk(url: string, retryDelayMs = 200): Promise<InputChunk> {
  try {
    return await fetchOnce(url);
  } catch {
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    return fetchOnce(url);
  }
}

/**
 * How many chunk fetches an operator keeps in flight: while one chunk's records go through the steps,
 * the next ones are on their way (one at a time, a worker waited on each round trip, and on the
 * submitter building the chunk, with nothing to do).
 */
export const fetchesAhead = 4;

/**
 * The fetch operator: each chunk index starts its fetch at once, up to `ahead` in flight; the chunks are
 * handed on in the order their indices came, whatever order their fetches end in, each once. Beam's data
 * source waits on what `process` returns, so it returns nothing until `ahead` fetches are in flight,
 * then the oldest one's delivery. The bundle ends once every chunk is handed on (`finishBundle`).
 */
export class FetchChunksOperator implements IOperator {
  readonly #url: string;
  readonly #receiver: Receiver;
  readonly #ahead: number;
  /** The last chunk's delivery: each waits for the one before it, so chunks go on in their indices' order. */
  #delivered: Promise<void> = Promise.resolve();
  readonly #inFlight: Promise<void>[] = [];

  constructor(
    readonly transformId: string,
    url: string,
    transform: PTransform,
    context: OperatorContext,
    ahead = fetchesAhead,
  ) {
    this.#url = url;
    const [output] = Object.values(transform.outputs);
    this.#receiver = context.getReceiver(output);
    this.#ahead = ahead;
  }

  async startBundle(): Promise<void> {
    this.#delivered = Promise.resolve();
    this.#inFlight.length = 0;
  }

  process(element: WindowedValue<unknown>): ProcessResult {
    const fetched = fetchChunk(`${this.#url}${String(element.value)}`);
    // Handled here, awaited below: a fetch that fails before its turn must not be an unhandled rejection.
    fetched.catch(() => {});
    const delivery = this.#delivered.then(async () => {
      const next = this.#receiver.receive({ ...element, value: await fetched });
      if (next !== NonPromise) await next;
    });
    delivery.catch(() => {});
    this.#delivered = delivery;
    this.#inFlight.push(delivery);
    if (this.#inFlight.length < this.#ahead) return NonPromise;
    return this.#inFlight.shift()!;
  }

  async finishBundle(): Promise<void> {
    this.#inFlight.length = 0;
    await this.#delivered;
  }
}

type OperatorConstructor = (transformId: string, transform: PTransform, context: OperatorContext) => IOperator;

/**
 * Beam's own ParDo constructor, to hand every other DoFn to. apache-beam keeps its constructors in a map it does
 * not export; its functions carry their free variables for its own serialisation (`__closure`), which reach it.
 */
function beamsParDoConstructor(): OperatorConstructor {
  const closure = (registerOperatorConstructor as { __closure?: () => { operatorsByUrn?: unknown } }).__closure;
  const byUrn = closure?.().operatorsByUrn;
  const constructor = byUrn instanceof Map ? (byUrn.get(beam.parDo.urn) as unknown) : undefined;
  if (typeof constructor !== 'function')
    throw new Error('apache-beam changed how it registers operators: review runners/beam/fetch-chunks.ts');
  return constructor as OperatorConstructor;
}

const beamsParDo = beamsParDoConstructor();
registerOperatorConstructor(beam.parDo.urn, (transformId, transform, context) => {
  const doFn = ParDoPayload.fromBinary(transform.spec!.payload).doFn;
  if (doFn?.urn !== fetchChunksUrn) return beamsParDo(transformId, transform, context);
  return new FetchChunksOperator(transformId, new TextDecoder().decode(doFn.payload), transform, context);
});
