import type { Graph, GraphNode } from './pipeline-graph.ts';

const shape: Readonly<Record<GraphNode['role'], (text: string) => string>> = {
  source: (t) => `[/"${t}"/]`,
  step: (t) => `["${t}"]`,
  sink: (t) => `[("${t}")]`,
  store: (t) => `[("${t}")]`,
};

// Mermaid labels are quoted; quotes inside become #quot;.
const escape = (s: string) => s.replace(/"/g, '#quot;');

export function toMermaid(graph: Graph): string {
  const lines = [`flowchart LR`, `  %% ${graph.title}`];
  for (const n of graph.nodes) lines.push(`  ${n.id}${shape[n.role](escape(n.label))}`);
  for (const e of graph.edges) lines.push(`  ${e.from} -->${e.label ? `|${escape(e.label)}|` : ''} ${e.to}`);
  return lines.join('\n');
}
