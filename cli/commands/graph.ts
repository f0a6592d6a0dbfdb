import { Command, Option } from 'commander';
import { toDot } from '../graph/dot.ts';
import { toMermaid } from '../graph/mermaid.ts';
import { pipelineGraph } from '../graph/pipeline-graph.ts';
import { loadAll } from '../load-pipelines.ts';

const renderers = { mermaid: toMermaid, dot: toDot } as const;

export function graphCommand(): Command {
  return new Command('graph')
    .description('Draw a pipeline\'s dataflow: source, steps, sinks and side outputs (archive, dead letters).')
    .argument('<files...>', 'pipeline files or globs')
    .addOption(new Option('-f, --format <format>', 'diagram language').choices(Object.keys(renderers)).default('mermaid'))
    .addHelpText('after', `
Examples:
  idemflow graph pipelines/counts.ts                 # paste into a Markdown \`\`\`mermaid block
  idemflow graph pipelines/counts.ts -f dot | dot -Tsvg > graph.svg`)
    .action(async (files: string[], options: { format: keyof typeof renderers }) => {
      const rendered = (await loadAll(files)).map(({ pipeline }) => renderers[options.format](pipelineGraph(pipeline.ir)));
      process.stdout.write(`${rendered.join('\n\n')}\n`);
    });
}
