/** A record that could not be decoded or validated, with why and where it came from. Nothing is dropped silently. */
export interface DeadLetter {
  readonly reason: string;
  /** The payload as received. */
  readonly raw: string;
  /** Where it came from: topic/partition/offset, file:line, or the receiver's sequence number. */
  readonly position: string;
}
