import { PipelineNode } from '../compiler/ir/index.ts';
import { assertNonEmptyString } from './validate.ts';

const pipelineBrand = Symbol.for('idemflow.pipeline');

/** A finished pipeline: its IR plus a name. Immutable; `named` returns a new one. */
export class Pipeline {
  readonly [pipelineBrand] = true;
  constructor(readonly ir: PipelineNode) {
    Object.freeze(this);
  }

  get name(): string {
    return this.ir.name;
  }

  named(name: string): Pipeline {
    assertNonEmptyString('named', 'name', name, this.ir.location);
    return new Pipeline(PipelineNode.cloneWithName(this.ir, name));
  }
}

/** True for pipelines built by any copy of idemflow (the brand is a global symbol, not a class identity). */
export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[pipelineBrand] === true;
}
