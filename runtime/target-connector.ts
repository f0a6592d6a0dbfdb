import { PipelineNode, SinkNode } from '../compiler/ir/index.ts';
import type { RepairTarget } from './repair-target.ts';
import { RunnerError } from './runner-error.ts';
import type { Row, TableOp } from './sinks/table-op.ts';
import type { SourceReader } from './sources/source-reader.ts';

/** A table's current row by planned primary key (undefined: no such row), for a dry-run's diff. */
export type TableLookup = (key: readonly unknown[]) => Row | undefined;

/**
 * Why a system of record's table cannot keep an event id (its stored text, `storedId`) apart from every
 * other id — the words of the record's dead letter — or undefined when it can.
 */
export type ArchiveIdCheck = (storedId: string) => string | undefined;

/** A run's checks of event ids, by system-of-record sink (one with none keeps every id apart). */
export type ArchiveIdChecks = ReadonlyMap<SinkNode, ArchiveIdCheck>;

/** What repair passes: it counts what the archive holds, so an id already archived is never refused. */
export const noArchiveIdChecks: ArchiveIdChecks = new Map();

/** How a repair wants to hear of what it cannot read. */
export interface RepairReading {
  /** A stored block of the system of record that fails to decode: named here, skipped and not counted. */
  readonly onBadBlock?: (error: Error) => void;
}

/** Applies a sink's table ops: the one thing a connector does on the hot path. */
export interface TableWriter {
  write(ops: readonly TableOp[]): void | Promise<void>;
  /**
   * A system of record's events, the i-th under the i-th key (`archiveKeys`): what `write` does with their
   * upserts, with no op an event. Optional: a writer without it is given the ops.
   */
  archive?(keys: readonly unknown[], events: readonly unknown[]): void | Promise<void>;
}

/**
 * A back end that table sinks write to — Cassandra, the embedded store, a JSONL folder — like Kysely's
 * `Dialect`: the runners, repair and the dry-run ask it for what they need and never hold its client.
 * It knows no pipeline of its own: each call names the pipeline whose sinks it serves (their tables
 * derive from it). Each connector folder exports how to open one; `close` lets go of its connection.
 */
export interface TargetConnector {
  /** The `SinkNode.target` it writes: `cassandra`, `embedded`, `jsonl`. */
  readonly target: string;
  /** Creates what the pipeline's tables need, if missing; returns a line for the log, or nothing when there was nothing to do. */
  ensureSchema(pipeline: PipelineNode): Promise<string | undefined>;
  writer(sink: SinkNode, pipeline: PipelineNode): TableWriter;
  /**
   * For a system of record: the check of the ids its table cannot keep apart (an older layout's), or
   * undefined when it keeps every id apart. Asked once before the first batch, since the archive step
   * must refuse such an id before the record is counted (dead-lettered then, it is neither counted nor
   * archived, and the aggregates stay what repair makes of the archive); the write itself could only fail.
   */
  archiveIdCheck?(sink: SinkNode): Promise<ArchiveIdCheck | undefined>;
  /** A system of record read back as a source (`source.cassandraTable`), from a checkpointed position. */
  tableSource?(table: { readonly keyspace: string; readonly table: string }, from: unknown): SourceReader;
  /** Where repair reads the system of record and the sink's rows, and writes its corrections. */
  repairTarget(pipeline: PipelineNode, reading?: RepairReading): RepairTarget;
  /**
   * Copies a system-of-record table of this target (any layout it reads) into the one `pipeline` archives
   * into (`idemflow migrate`); how many events, and that table's name.
   */
  migrateArchive?(
    pipeline: PipelineNode,
    from: { readonly keyspace: string; readonly table: string },
    onProgress?: (events: number) => void,
  ): Promise<{ readonly events: number; readonly into: string }>;
  /** The current rows of the named tables (`keyspace.table`) that it holds, for a dry-run's diff. */
  currentRows(pipeline: PipelineNode, tables: ReadonlySet<string>): Promise<Map<string, TableLookup>>;
  close(): Promise<void>;
}

/**
 * The name a table sink's rows go by in plans, progress and `rowsWritten`: `keyspace.table`, with the
 * target standing in for a keyspace the sink has none of (`embedded.totals`).
 */
export const tableId = (sink: SinkNode): string => `${sink.keyspace ?? sink.target}.${sink.table ?? 'unnamed'}`;

/**
 * The connectors of one run, by sink target. Cassandra sinks fall back to the embedded store when no
 * Cassandra is configured (same table names, same semantics): that is what makes every example runnable
 * with no servers. Any other target needs its own connector.
 */
export class Targets {
  readonly #byTarget: ReadonlyMap<string, TargetConnector>;

  constructor(
    /** The embedded store's connector: embedded sinks, and the stand-in for an unconfigured Cassandra. */
    readonly embedded: TargetConnector,
    others: readonly TargetConnector[] = [],
  ) {
    this.#byTarget = new Map([...others, embedded].map((c) => [c.target, c]));
  }

  /** Whether a connector of this target was given (not stood in for). */
  has(target: string): boolean {
    return this.#byTarget.has(target);
  }

  /** The connector a table sink writes to. */
  for(sink: SinkNode): TargetConnector {
    const connector = this.#byTarget.get(sink.target) ?? (sink.target === 'cassandra' ? this.embedded : undefined);
    if (!connector)
      throw new RunnerError(`${SinkNode.label(sink)}: no ${sink.target} connector was opened for this run`);
    return connector;
  }

  /** `source.cassandraTable`: read from the cluster when one is configured, else from the embedded store. */
  tableSource(table: { readonly keyspace: string; readonly table: string }, from: unknown): SourceReader {
    const connector = this.#byTarget.get('cassandra') ?? this.embedded;
    if (!connector.tableSource) throw new RunnerError(`the ${connector.target} connector cannot be read as a source`);
    return connector.tableSource(table, from);
  }

  /**
   * What repair reads and rewrites: the system of record from its sink's connector, the aggregates from
   * theirs (the two may live apart: an embedded archive beside a Cassandra table).
   */
  repairTarget(pipeline: PipelineNode, reading: RepairReading = {}): RepairTarget {
    const opened = new Map<TargetConnector, RepairTarget>();
    const of = (sink: SinkNode): RepairTarget => {
      const connector = this.for(sink);
      let target = opened.get(connector);
      if (!target) opened.set(connector, (target = connector.repairTarget(pipeline, reading)));
      return target;
    };
    return {
      events: (systemOfRecord) => of(systemOfRecord).events(systemOfRecord),
      rows: (sink) => of(sink).rows(sink),
      storedKey: (sink, key) => of(sink).storedKey(sink, key),
      write: (sink, ops) => of(sink).write(sink, ops),
    };
  }

  /** The id checks of the pipeline's systems of record, each asked of its sink's connector (before the first batch). */
  async archiveIdChecks(pipeline: PipelineNode): Promise<ArchiveIdChecks> {
    const checks = new Map<SinkNode, ArchiveIdCheck>();
    for (const sink of PipelineNode.sinks(pipeline)) {
      if (sink.mode !== 'system-of-record' || !isTable(sink)) continue;
      const check = await this.for(sink).archiveIdCheck?.(sink);
      if (check) checks.set(sink, check);
    }
    return checks;
  }

  /** The current rows of every planned table, each asked of the connector its sink writes to. */
  async currentRows(pipeline: PipelineNode, tables: ReadonlySet<string>): Promise<Map<string, TableLookup>> {
    const asked = new Map<TargetConnector, Set<string>>();
    for (const sink of PipelineNode.sinks(pipeline)) {
      if (!isTable(sink) || !tables.has(tableId(sink))) continue;
      const connector = this.for(sink);
      asked.set(connector, (asked.get(connector) ?? new Set()).add(tableId(sink)));
    }
    const lookups = new Map<string, TableLookup>();
    for (const [connector, names] of asked)
      for (const [table, lookup] of await connector.currentRows(pipeline, names)) lookups.set(table, lookup);
    return lookups;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#byTarget.values()].map((c) => c.close()));
  }
}

/** Sinks that are not tables: they live in the runtime, not behind a connector. */
const inProcess: ReadonlySet<string> = new Set(['memory', 'console', 'custom']);

export const isTable = (sink: SinkNode): boolean => !inProcess.has(sink.target);
