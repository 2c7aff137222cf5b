package org.agentmesh.swarm;

import java.util.List;
import java.util.Map;
import org.agentmesh.failure.FailureDetectorMember;

/**
 * Failure detection and partition health of a swarm, as its agents measured it.
 *
 * @param modes each agent's partition mode (NORMAL / READ_ONLY, "unresponsive" if its detector did not answer)
 * @param failed agents that at least one answering agent believes FAILED
 * @param detectionMillis per confirmed failure seen by an agent: time from the last message it heard from the peer
 * @param falseSuspicions suspicions raised that ended in a refutation, summed over agents
 * @param confirmationsPerFailure for each failure an agent declared, how many other agents confirmed it
 * @param partitions times an agent entered READ_ONLY, summed; {@code recoveryMillis}: how long each READ_ONLY lasted
 * @param clusterUnreachable Pekko Cluster's own detector, seen from the node that answered: when each member
 *     became unreachable (wall-clock millis of each episode)
 * @param clusterMembers the cluster's members as the answering node sees them ({@code host:port Up}, "unreachable" marked)
 * @param writes this node's write guard for the swarm: "allowed" or the refusal reason
 */
public record SwarmHealth(String swarmId, Map<String, String> modes, List<String> failed, List<Long> detectionMillis,
        long falseSuspicions, List<Integer> confirmationsPerFailure, int partitions, List<Long> recoveryMillis,
        Map<String, List<Long>> clusterUnreachable, List<String> clusterMembers, String writes, List<FailureDetectorMember.Report> agents) {}
