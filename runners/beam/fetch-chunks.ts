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
async function fetchChunk(url: string): Promise<InputChunk> {
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

class FetchChunksOperator implements IOperator {
  readonly #url: string;
  readonly #receiver: Receiver;

  constructor(
    readonly transformId: string,
    url: string,
    transform: PTransform,
    context: OperatorContext,
  ) {
    this.#url = url;
    const [output] = Object.values(transform.outputs);
    this.#receiver = context.getReceiver(output);
  }

  async startBundle(): Promise<void> {}

  process(element: WindowedValue<unknown>): ProcessResult {
    return fetchChunk(`${this.#url}${String(element.value)}`).then((chunk) => {
      const next = this.#receiver.receive({ ...element, value: chunk });
      return next === NonPromise ? undefined : next;
    });
  }

  async finishBundle(): Promise<void> {}
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
