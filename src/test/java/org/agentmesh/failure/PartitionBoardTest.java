package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PartitionBoardTest {

    private static final PartitionStatus NORMAL = new PartitionStatus(PartitionMode.NORMAL, 4, 5, 3, 0);
    private static final PartitionStatus MINORITY = new PartitionStatus(PartitionMode.READ_ONLY, 2, 5, 3, 0);

    @Test
    void aNodeWithOneMajorityAgentWritesAndOneWithOnlyMinorityAgentsRefuses() {
        PartitionBoard board = new PartitionBoard();
        board.update("s", "a1", MINORITY);
        assertEquals(new WriteGuard.Refused("read-only: this agent reaches 2 of 5 agents (needs 3)"), board.check("s", NORMAL));
        board.update("s", "a2", NORMAL);
        assertTrue(board.check("s", MINORITY).allowed(), "one local agent on the majority side is enough");
        board.remove("s", "a2");
        assertFalse(board.check("s", NORMAL).allowed());
    }

    @Test
    void withoutLocalAgentsTheNodesOwnClusterMajorityDecides() {
        PartitionBoard board = new PartitionBoard();
        assertTrue(board.check("s", NORMAL).allowed());
        assertFalse(board.check("s", MINORITY).allowed());
        board.update("other", "a1", NORMAL);
        assertFalse(board.check("s", MINORITY).allowed(), "another swarm's agents say nothing about this one");
    }
}
