import { SinkNode, visit, type IrNode, type NodeVisitor } from '../../compiler/index.ts';

const ms = (n: number) => (n % 60_000 === 0 ? `${n / 60_000}min` : n % 1_000 === 0 ? `${n / 1_000}s` : `${n}ms`);
const fnText = (source: string) => (source.length > 40 ? `${source.slice(0, 37)}…` : source).replace(/\s+/g, ' ');

/** One short label a node kind: the table fails to compile when a new kind is added and not drawn. */
const labels: NodeVisitor<string> = {
  Pipeline: (n) => n.name,
  Source: (n) => `${n.connector}${n.wal ? ' + WAL' : ''} (${n.delivery})`,
  Parse: (n) => `parse (${n.vendor})`,
  Map: (n) => `map ${fnText(n.fn.source)}`,
  Filter: (n) => `filter ${fnText(n.fn.source)}`,
  FlatMap: (n) => `flatMap ${fnText(n.fn.source)}`,
  EventTime: (n) => `event time ${fnText(n.fn.source)}`,
  Archive: (n) => `archive → ${SinkNode.label(n.sink)}`,
  Window: (n) =>
    n.type === 'tumbling' ? `tumbling ${ms(n.sizeMs)}` : `sliding ${ms(n.sizeMs)} every ${ms(n.slideMs)}`,
  GroupBy: (n) => `groupBy ${n.by.type === 'field' ? n.by.field : fnText(n.by.fn.source)}`,
  Aggregate: (n) => (n.field ? `${n.op}(${n.field})` : `${n.op}()`),
  Sink: (n) => `${n.mode} ${SinkNode.label(n)}${n.retry.retries > 0 ? ` (retry ×${n.retry.retries})` : ''}`,
  Column: (n) => n.column,
  Fn: (n) => fnText(n.source),
};

export function nodeLabel(node: IrNode): string {
  return visit(labels, node);
}
