import { Command, Option } from 'commander';
import { toDot } from '../graph/dot.ts';
import { toJson } from '../graph/json.ts';
import { toMermaid } from '../graph/mermaid.ts';
import { pipelineGraph } from '../graph/pipeline-graph.ts';
import { loadAll } from '../load-pipelines.ts';

const renderers = { mermaid: toMermaid, dot: toDot } as const;
const formats = [...Object.keys(renderers), 'json'];

export function graphCommand(): Command {
  return new Command('graph')
    .description("Draw a pipeline's dataflow: source, steps, sinks and side outputs (archive, dead letters).")
    .argument('<files...>', 'pipeline files or globs')
    .addOption(
      new Option('-f, --format <format>', 'diagram language, or json (nodes and edges)')
        .choices(formats)
        .default('mermaid'),
    )
    .addHelpText(
      'after',
      `
Examples:
  idemflow graph pipelines/counts.ts                 # paste into a Markdown \`\`\`mermaid block
  idemflow graph pipelines/counts.ts -f dot | dot -Tsvg > graph.svg
  idemflow graph pipelines/counts.ts -f json`,
    )
    .action(async (files: string[], options: { format: keyof typeof renderers | 'json' }) => {
      const graphs = (await loadAll(files)).map(({ pipeline }) => pipelineGraph(pipeline.ir));
      // One JSON document for every file; the diagram languages, one diagram each.
      const rendered = options.format === 'json' ? toJson(graphs) : graphs.map(renderers[options.format]).join('\n\n');
      process.stdout.write(`${rendered}\n`);
    });
}
