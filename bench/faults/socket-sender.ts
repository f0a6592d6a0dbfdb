import { startLineServer } from '../../connectors/socket/line-server.ts';
import type { SensorEvent } from '../../dsl/index.ts';

/**
 * The socket input of a schedule: a sender on loopback that feeds the events
 * as a live stream (small bursts, so that the receiver appends many chunks to
 * its WAL and a crash can strike mid-append) and, as a real client would,
 * resumes each connection where the receiver's WAL acknowledged.
 */
export async function campaignSender(events: readonly SensorEvent[]) {
  return startLineServer(
    events.map((e) => JSON.stringify(e)),
    { resume: true, burst: 40, pauseMs: 2 },
  );
}
