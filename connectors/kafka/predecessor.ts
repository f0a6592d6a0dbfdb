/**
 * A runner killed with SIGKILL stays a member of its consumer group until
 * its session times out (30 s): a restart's join waits for it, and reads
 * nothing meanwhile. The runner keeps its own offsets, so nothing requires
 * that wait. It records its member id beside its checkpoint; its successor
 * (same checkpoint folder, so the same runner) joins, and removes that member
 * while its join waits for it: the join then completes at once.
 *
 * kafkajs 2.2.4 has no public call for removing a member (LeaveGroup for
 * another member id) nor static membership (`group.instance.id` is not
 * passed on): this takes a cluster connection from kafkajs's private
 * factory. kafkajs is pinned and unmaintained, so it will not move under us;
 * should it ever, the removal is skipped with a log line and the restart
 * waits for the session timeout as before (see docs/architecture.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Admin, Kafka } from 'kafkajs';

interface RecordedMember {
  readonly groupId: string;
  readonly memberId: string;
}

/** The member id the previous run in this checkpoint folder joined `groupId` with, if any. */
export function recordedMember(file: string, groupId: string): string | undefined {
  try {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as RecordedMember;
    return recorded.groupId === groupId && typeof recorded.memberId === 'string' ? recorded.memberId : undefined;
  } catch {
    return undefined; // none yet, or torn by a kill mid-write: the restart then waits for the session timeout
  }
}

export function recordMember(file: string, member: RecordedMember): void {
  writeFileSync(file, JSON.stringify(member));
}

interface PrivateCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: {
    groupId: string;
  }): Promise<{ leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown> }>;
}

/** kafkajs's own cluster factory (a private, symbol-keyed property of a `Kafka` instance). */
function clusterOf(kafka: Kafka): PrivateCluster | undefined {
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = key ? (kafka as unknown as Record<symbol, unknown>)[key] : undefined;
  return typeof create === 'function' ? (create as (options: object) => PrivateCluster)({}) : undefined;
}

/** How often the group is looked at while this run's join is on its way to the coordinator. */
const pollMs = 25;

async function isMember(admin: Admin, groupId: string, memberId: string): Promise<{ member: boolean; state?: string }> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  return { member: group?.members.some((m) => m.memberId === memberId) ?? false, state: group?.state };
}

/** Waits until a join waits in the group while the dead member is still in it; false if that member left first, or `joining()` turned false. */
async function joinWaitsFor(admin: Admin, groupId: string, memberId: string, joining: () => boolean): Promise<boolean> {
  for (;;) {
    const { member, state } = await isMember(admin, groupId, memberId);
    if (!member || !joining()) return false;
    if (state === 'PreparingRebalance') return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Removes the previous run's member from the group when it is still there
 * (killed, its session not yet expired) — but only once this run's own join
 * waits in the group (state PreparingRebalance). Removed earlier, it would
 * leave the group empty, and a join to an empty group waits for the broker's
 * `group.initial.rebalance.delay.ms` (3 s by default) in case more members
 * come. Removed now, the rebalance our join started lacks no member: it
 * completes at once, without that delay. The connection to the coordinator
 * is made beforehand, so that the removal follows the join closely. Polls
 * until then, or until `joining()` says the join is over (it failed, or
 * completed without the removal). Returns whether it removed the member.
 */
export async function removeDeadPredecessor(
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  memberId: string,
  log: (line: string) => void,
  joining: () => boolean,
): Promise<boolean> {
  if (!(await isMember(admin, groupId, memberId)).member) return false;
  const cluster = clusterOf(kafka);
  if (!cluster) {
    log(
      `source.kafka: cannot remove the previous run's member from group ${groupId} (kafkajs changed); waiting for its session to time out`,
    );
    return false;
  }
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    if (!(await joinWaitsFor(admin, groupId, memberId, joining))) return false;
    await coordinator.leaveGroup({ groupId, memberId });
  } finally {
    await cluster.disconnect();
  }
  log(`source.kafka: removed the previous run's member from group ${groupId}: it died without leaving`);
  return true;
}
