import type { GraphFormat } from '../commands/graph.ts';
import { toDot } from '../graph/dot.ts';
import { toJson } from '../graph/json.ts';
import { toMermaid } from '../graph/mermaid.ts';
import { pipelineGraph } from '../graph/pipeline-graph.ts';
import { loadAll } from '../load-pipelines.ts';

const renderers = { mermaid: toMermaid, dot: toDot } as const satisfies Record<Exclude<GraphFormat, 'json'>, unknown>;

export async function graphAction(files: string[], options: { format: GraphFormat }): Promise<void> {
  const graphs = (await loadAll(files)).map(({ pipeline }) => pipelineGraph(pipeline.ir));
  // One JSON document for every file; the diagram languages, one diagram each.
  const rendered = options.format === 'json' ? toJson(graphs) : graphs.map(renderers[options.format]).join('\n\n');
  process.stdout.write(`${rendered}\n`);
}
