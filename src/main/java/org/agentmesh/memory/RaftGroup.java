package org.agentmesh.memory;

import java.util.ArrayList;
import java.util.List;
import org.agentmesh.raft.Membership;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * A swarm's Raft group: one {@link RaftMember} per agent. The first {@code maxVoters} agents in join order vote, the
 * others are learners (they hold the log and can serve reads, and replace voters that are lost for good).
 */
public final class RaftGroup {

    private RaftGroup() {}

    /** The initial configuration of a group whose agents joined in the order of {@code memberIds}. */
    public static Membership initialMembership(List<String> memberIds, int maxVoters) {
        int voters = Math.min(maxVoters, memberIds.size());
        return new Membership(memberIds.subList(0, voters), memberIds.subList(voters, memberIds.size()));
    }

    /** Member ids, the initial voters first: the order in which clients look for a leader. */
    public static List<String> contactOrder(List<String> memberIds, int maxVoters) {
        Membership m = initialMembership(memberIds, maxVoters);
        List<String> order = new ArrayList<>(memberIds.subList(0, m.voters().size()));
        order.addAll(memberIds.subList(m.voters().size(), memberIds.size()));
        return order;
    }

    /** Starts (or confirms) every member; {@code generation} tells this group apart from an older one of the same id. */
    public static void start(ClusterSharding sharding, String swarmId, long generation, List<String> memberIds, int maxVoters) {
        if (memberIds.isEmpty()) {
            return;
        }
        Membership membership = initialMembership(memberIds, maxVoters);
        for (String id : memberIds) {
            sharding.entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId(swarmId, id))
                    .tell(new RaftMember.Start(generation, membership));
        }
    }

    /** Stops every member (the swarm shut down). */
    public static void stop(ClusterSharding sharding, String swarmId, List<String> memberIds) {
        for (String id : memberIds) {
            sharding.entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId(swarmId, id)).tell(new RaftMember.Stop());
        }
    }
}
