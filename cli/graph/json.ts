import type { Graph } from './pipeline-graph.ts';

/** The graphs as data, for tools that draw their own: `{"pipelines":[{title,nodes:[{id,label,role}],edges:[{from,to,label?}]}]}`. */
export function toJson(graphs: readonly Graph[]): string {
  return JSON.stringify({ pipelines: graphs }, undefined, 2);
}
