import type { PipelineNode } from './pipeline-node.ts';

/**
 * The IR as JSON. Function-valued properties (live user functions, schemas,
 * in-memory records) are dropped by JSON.stringify itself; user functions
 * keep their source text in `source`.
 */
export function serializePipeline(node: PipelineNode, space = 2): string {
  return JSON.stringify(node, undefined, space);
}
