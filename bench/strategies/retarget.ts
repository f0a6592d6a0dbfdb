import { ArchiveNode, ParseNode, PipelineNode, SinkNode, SourceNode, type StepNode } from '../../compiler/ir/index.ts';

/** Where one benchmark trial's pipeline reads and writes: its own topic, port, WAL, tables. */
export interface Target {
  readonly keyspace: string;
  /** Appended to every table name and consumer group, so trials never share state. */
  readonly suffix: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly host: string;
  readonly port: number;
  readonly walDir: string;
  readonly file: string;
}

function sink(node: SinkNode, t: Target): SinkNode {
  if (node.target !== 'cassandra' || !node.table) return node;
  return SinkNode.create({ ...node, keyspace: t.keyspace, table: `${node.table}_${t.suffix}` });
}

function step(node: StepNode, t: Target): StepNode {
  if (node.kind === 'Archive') return ArchiveNode.create(sink(node.sink, t), node.location);
  if (node.kind === 'Parse') return ParseNode.create({ ...node, deadLetter: sink(node.deadLetter, t) });
  return node;
}

function source(node: SourceNode, t: Target): SourceNode {
  const options: Record<string, unknown> = { ...node.options };
  if (node.connector === 'kafka')
    Object.assign(options, {
      brokers: [...t.brokers],
      topic: t.topic,
      groupId: `${String(options.groupId)}-${t.suffix}`,
    });
  if (node.connector === 'socket') Object.assign(options, { host: t.host, port: t.port });
  if (node.connector === 'file') Object.assign(options, { path: t.file });
  const moved = SourceNode.create({ ...node, options: Object.freeze(options) });
  return node.wal ? SourceNode.create({ ...moved, wal: Object.freeze({ dir: t.walDir }) }) : moved;
}

/**
 * The same pipeline pointed at a trial's own resources: a function over IR
 * nodes, so the strategy files run unchanged in structure (source, WAL,
 * system of record, sink mode, retries) while the benchmark keeps trials apart.
 */
export function retarget(pipeline: PipelineNode, t: Target): PipelineNode {
  return PipelineNode.create({
    ...pipeline,
    source: source(pipeline.source, t),
    steps: pipeline.steps.map((s) => step(s, t)),
    sink: sink(pipeline.sink, t),
  });
}
