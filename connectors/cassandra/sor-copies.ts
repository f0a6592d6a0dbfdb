import { partitionOf, SpillFiles } from '../../runtime/spill-files.ts';

/**
 * One event id can be archived in two partitions: its partition follows its
 * event time (a 10-minute slot, or a UTC day in the row layout), and a
 * producer's retry that stamps its send time, or an event time that differs
 * on a replay, gives one id two. Every reader counts each id once: of its
 * copies, the one written last wins (Cassandra's write time; ties to the
 * greater bucket), as an upsert keyed by the event id would leave it, and
 * as copies within one partition are already chosen. Deciding needs every
 * copy of an id together, so a read tallies the copies it yields on disk
 * (by id) and decides afterwards, holding a bounded number of ids at once.
 */

/** Ids held in memory at once while deciding; a tally file with more is split again with another hash. */
const idsAtOnce = 100_000;
/** Splits of one tally file before it is worked whole (one id with that many copies cannot be split). */
const maxDepth = 4;
/** The ring is cut into this many token slices for the losing copies, so a reader holds one slice's at a time. */
const lossSlices = 256;
const fanout = 16;

const ringSize = 2n ** 64n;
const sliceOf = (token: string) => Number(((BigInt(token) + 2n ** 63n) * BigInt(lossSlices)) / ringSize);

/** Where a copy lies and when it was written, as a tally line holds it after the id: `[bucket, token, written]`. */
type Place = [bucket: string, token: string, written: string];

/** Whether the copy at `a` wins over the copy at `b`: written later, or at the same time in the greater bucket. */
const wins = (a: Place, b: Place) => {
  const [wa, wb] = [BigInt(a[2]), BigInt(b[2])];
  return wa !== wb ? wa > wb : a[0] > b[0];
};

/** The copies of ids archived in more than one partition that a reader skips, by partition. */
export class LosingCopies {
  #slice = -1;
  #loaded = new Map<string, Set<string>>();

  constructor(
    readonly count: number,
    readonly spill: SpillFiles | undefined,
  ) {}

  /** The ids a partition holds that lost to a copy elsewhere (load one token slice at a time: read in token order). */
  async in(token: string, bucket: string): Promise<ReadonlySet<string> | undefined> {
    if (!this.spill) return undefined;
    const slice = sliceOf(token);
    if (slice !== this.#slice) {
      this.#slice = slice;
      this.#loaded = new Map();
      for await (const line of this.spill.lines(slice)) {
        const [b, id] = JSON.parse(line) as [string, string];
        let ids = this.#loaded.get(b);
        if (!ids) this.#loaded.set(b, (ids = new Set()));
        ids.add(id);
      }
    }
    return this.#loaded.get(bucket);
  }

  remove(): void {
    this.spill?.remove();
  }
}

/**
 * The copies a read yielded, tallied on disk by event id (a line each: the
 * id as JSON, a tab, its place as JSON, made once a partition and block);
 * `losers()` decides once the read is over.
 */
export class CopyTally {
  readonly #spill = new SpillFiles(fanout, 'sor-copies');

  /** A copy's place as a line holds it: make it once for all the copies of a block. */
  static place(token: string, bucket: string, written: bigint): string {
    return JSON.stringify([bucket, token, String(written)] satisfies Place);
  }

  add(place: string, eventId: string): void {
    this.#spill.add(partitionOf(eventId, 0, fanout), `${JSON.stringify(eventId)}\t${place}`);
  }

  /** The losing copies (none in the common case, and then no file kept); the tally's own files are removed. */
  async losers(): Promise<LosingCopies> {
    let losses: SpillFiles | undefined;
    let count = 0;
    const lose = (eventId: string, place: string) => {
      const [bucket, token] = JSON.parse(place) as Place;
      losses ??= new SpillFiles(lossSlices, 'sor-losses');
      losses.add(sliceOf(token), JSON.stringify([bucket, eventId]));
      count++;
    };
    try {
      for (let part = 0; part < fanout; part++) await decide(this.#spill, part, 0, lose);
    } catch (error) {
      losses?.remove();
      throw error;
    } finally {
      this.#spill.remove();
    }
    return new LosingCopies(count, losses);
  }

  remove(): void {
    this.#spill.remove();
  }
}

const idOf = (line: string) => line.slice(0, line.indexOf('\t'));

/** One tally file: each id whose copies lie in two partitions or more, every copy but the winner lost. */
async function decide(spill: SpillFiles, part: number, depth: number, lose: (eventId: string, place: string) => void) {
  if (spill.count(part) > idsAtOnce && depth < maxDepth) {
    const sub = new SpillFiles(fanout, 'sor-copies-split', spill.dir);
    for await (const line of spill.lines(part)) sub.add(partitionOf(idOf(line), depth + 1, fanout), line);
    spill.drop(part);
    for (let p = 0; p < fanout; p++) await decide(sub, p, depth + 1, lose);
    sub.remove();
    return;
  }
  // Ids as JSON (as the line holds them) to the place of their winning copy so far; parsed only on a second copy.
  const best = new Map<string, string>();
  for await (const line of spill.lines(part)) {
    const tab = line.indexOf('\t');
    const id = line.slice(0, tab);
    const place = line.slice(tab + 1);
    const held = best.get(id);
    if (held === undefined) {
      best.set(id, place);
      continue;
    }
    const [copy, kept] = [JSON.parse(place) as Place, JSON.parse(held) as Place];
    // One partition yields an id once; were it met twice there, neither copy may hide the other.
    if (copy[0] === kept[0]) continue;
    if (wins(copy, kept)) {
      lose(JSON.parse(id) as string, held);
      best.set(id, place);
    } else lose(JSON.parse(id) as string, place);
  }
  spill.drop(part);
}
