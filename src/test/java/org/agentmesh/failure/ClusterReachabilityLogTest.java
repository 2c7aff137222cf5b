package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.agentmesh.failure.ClusterReachabilityLog.MemberView;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;

/** The write guard's fallback: which side of the cluster this node is on, from the members it knows. */
class ClusterReachabilityLogTest {

    private static final PartitionDetectorConfig CONFIG = PartitionDetectorConfig.defaults();

    private static MemberView up(boolean reachable) {
        return new MemberView(MemberStatus.up(), reachable);
    }

    @Test
    void aCrashedMemberStillUpLeavesTheOtherTwoInTheMajority() {
        PartitionStatus s = ClusterReachabilityLog.clusterStatus(List.of(up(true), up(true), up(false)), CONFIG);
        assertEquals(new PartitionStatus(PartitionMode.NORMAL, 2, 3, 2, 0), s);
    }

    @Test
    void aDownedMemberNotYetRemovedDoesNotCountAgainstTheOthers() {
        // the split brain resolver downed the crashed third member: it stays unreachable until it is removed
        PartitionStatus s = ClusterReachabilityLog.clusterStatus(
                List.of(up(true), up(true), new MemberView(MemberStatus.down(), false)), CONFIG);
        assertEquals(new PartitionStatus(PartitionMode.NORMAL, 2, 2, 2, 0), s);
    }

    @Test
    void aNodeCutOffFromTwoOfThreeIsReadOnly() {
        PartitionStatus s = ClusterReachabilityLog.clusterStatus(List.of(up(true), up(false), up(false)), CONFIG);
        assertEquals(new PartitionStatus(PartitionMode.READ_ONLY, 1, 3, 2, 0), s);
    }

    @Test
    void leavingAndRemovedMembersAreNotCounted() {
        PartitionStatus s = ClusterReachabilityLog.clusterStatus(List.of(up(true), new MemberView(MemberStatus.joining(), true),
                new MemberView(MemberStatus.leaving(), false), new MemberView(MemberStatus.removed(), false)), CONFIG);
        assertEquals(new PartitionStatus(PartitionMode.NORMAL, 2, 2, 2, 0), s);
    }
}
