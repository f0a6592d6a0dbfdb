import { Command, Option } from 'commander';

/** The diagram languages, and json (nodes and edges). The renderers load only when graph runs. */
const formats = ['mermaid', 'dot', 'json'] as const;
export type GraphFormat = (typeof formats)[number];

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
    .action(async (files: string[], options: { format: GraphFormat }) =>
      (await import('../actions/graph.ts')).graphAction(files, options),
    );
}
