import type { Graph, GraphNode } from './pipeline-graph.ts';

const shape: Readonly<Record<GraphNode['role'], string>> = {
  source: 'invhouse',
  step: 'box',
  sink: 'cylinder',
  store: 'cylinder',
};

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function toDot(graph: Graph): string {
  const lines = [`digraph ${quote(graph.title)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const n of graph.nodes) lines.push(`  ${n.id} [label=${quote(n.label)}, shape=${shape[n.role]}];`);
  for (const e of graph.edges) lines.push(`  ${e.from} -> ${e.to}${e.label ? ` [label=${quote(e.label)}]` : ''};`);
  lines.push('}');
  return lines.join('\n');
}
