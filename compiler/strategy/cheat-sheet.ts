/**
 * The nine strategies of the seed ("Real Time Analytics With Spark Streaming
 * and Cassandra", Tradeoffs in Detail), with its own verdicts. The benchmark
 * issue measures each row; these are the claims it checks.
 */
export type StrategyId =
  | 'counters'
  | 'counters-wal'
  | 'counters-direct'
  | 'aggregates'
  | 'aggregates-wal'
  | 'aggregates-direct'
  | 'aggregates-sor'
  | 'aggregates-sor-wal'
  | 'aggregates-sor-direct';

export interface Strategy {
  readonly id: StrategyId;
  /** The seed's heading for the row. */
  readonly title: string;
  readonly speed: 'fast' | 'relatively slow' | 'slow';
  readonly accuracy: 'inaccurate' | 'more accurate' | 'permanently accurate' | 'highly accurate';
  readonly storage: 'minimal' | 'shared storage (WAL)' | 'system of record' | 'system of record + shared storage (WAL)';
  /** The seed's verdict, nearly in its words. */
  readonly verdict: string;
}

export const strategies: Readonly<Record<StrategyId, Strategy>> = {
  counters: {
    id: 'counters',
    title: 'Counters with no streaming',
    speed: 'fast',
    accuracy: 'inaccurate',
    storage: 'minimal',
    verdict:
      'Fast, inaccurate and simple. Counters cannot be retried safely without overcounting, and an overcount cannot be detected later: hopeful accuracy at best.',
  },
  'counters-wal': {
    id: 'counters-wal',
    title: 'Counters + Streaming + WAL',
    speed: 'slow',
    accuracy: 'inaccurate',
    storage: 'shared storage (WAL)',
    verdict:
      'Slow, inaccurate and lots of moving parts; requires shared storage. The WAL replays records into counters, which may easily overcount.',
  },
  'counters-direct': {
    id: 'counters-direct',
    title: 'Counters + Streaming + Direct API',
    speed: 'slow',
    accuracy: 'inaccurate',
    storage: 'minimal',
    verdict:
      'Must use Kafka. Slow, inaccurate and lots of moving parts: replay from offsets into counters may easily overcount.',
  },
  aggregates: {
    id: 'aggregates',
    title: 'Streaming aggregates',
    speed: 'fast',
    accuracy: 'inaccurate',
    storage: 'minimal',
    verdict: 'Fast, and inaccurate. Retry-safe inside the process, but cannot handle message loss.',
  },
  'aggregates-wal': {
    id: 'aggregates-wal',
    title: 'Streaming aggregates + WAL',
    speed: 'relatively slow',
    accuracy: 'more accurate',
    storage: 'shared storage (WAL)',
    verdict:
      'Relatively slow, but more accurate; any message queue, but requires shared storage. Loses nothing once received, but cannot handle message loss at the queue.',
  },
  'aggregates-direct': {
    id: 'aggregates-direct',
    title: 'Aggregates + Direct API',
    speed: 'fast',
    accuracy: 'more accurate',
    storage: 'minimal',
    verdict:
      'Fast and more accurate; must use Kafka. Loses nothing once inside the stream, but cannot handle message loss at the queue.',
  },
  'aggregates-sor': {
    id: 'aggregates-sor',
    title: 'Aggregates + idempotent data model + system of record',
    speed: 'fast',
    accuracy: 'permanently accurate',
    storage: 'system of record',
    verdict:
      'Fast; temporarily inaccurate but permanently accurate, at the cost of storage. Lost messages are recovered by replay from the system of record.',
  },
  'aggregates-sor-wal': {
    id: 'aggregates-sor-wal',
    title: 'Aggregates + idempotent data model + system of record + WAL',
    speed: 'slow',
    accuracy: 'permanently accurate',
    storage: 'system of record + shared storage (WAL)',
    verdict:
      'Slow, pretty accurate, with a high cost of storage; any message queue, but requires shared storage. Losses at the queue are recovered by replay from the system of record.',
  },
  'aggregates-sor-direct': {
    id: 'aggregates-sor-direct',
    title: 'Aggregates + idempotent data model + system of record + Direct API',
    speed: 'fast',
    accuracy: 'highly accurate',
    storage: 'system of record',
    verdict:
      'Fast and highly accurate, at the cost of storage; must use Kafka. Losses at the queue are recovered by replay from the system of record. The recommended design.',
  },
};
