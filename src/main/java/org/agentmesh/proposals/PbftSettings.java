package org.agentmesh.proposals;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.agentmesh.pbft.PbftConfig;

/**
 * {@code agent-mesh.pbft}: the committee size, the protocol's knobs, proposal defaults, and the test-only byzantine hook
 * (honoured only when {@code test-hooks.enabled} is on, which only tests set).
 */
public record PbftSettings(int committeeSize, int maxBatch, Duration batchDelay, int checkpointInterval, int logSize,
        Duration requestTimeout, Duration viewChangeTimeout, Duration statusInterval, Duration clientRetransmit,
        Duration submitTimeout, double defaultThreshold, Duration defaultDeadline, boolean autoVote, Duration deadlineTick,
        Set<String> byzantineAgents, ByzantineMode byzantineMode) {

    /** What a byzantine replica does (test hook). */
    public enum ByzantineMode {
        /** Signs its protocol messages wrongly, lies in its replies, votes against its policy, votes twice and for others. */
        FORGE,
        /** Sends nothing at all. */
        SILENT
    }

    public static PbftSettings from(Config root) {
        Config c = root.getConfig("agent-mesh.pbft");
        boolean hooks = c.getBoolean("test-hooks.enabled");
        return new PbftSettings(c.getInt("committee-size"), c.getInt("max-batch"), c.getDuration("batch-delay"),
                c.getInt("checkpoint-interval"), c.getInt("log-size"), c.getDuration("request-timeout"),
                c.getDuration("view-change-timeout"), c.getDuration("status-interval"), c.getDuration("client-retransmit"),
                c.getDuration("submit-timeout"), c.getDouble("default-threshold"), c.getDuration("default-deadline"),
                c.getBoolean("auto-vote"), c.getDuration("deadline-tick"),
                hooks ? Set.copyOf(c.getStringList("test-hooks.byzantine-agents")) : Set.of(),
                ByzantineMode.valueOf(c.getString("test-hooks.byzantine-mode").toUpperCase()));
    }

    /** The committee: the first n = 3f+1 members (n at most committee-size); empty when the swarm has fewer than 4. */
    public List<String> committee(List<String> members) {
        int n = Math.min(committeeSize, members.size());
        n = n < 4 ? 0 : n - (n - 1) % 3;
        return List.copyOf(members.subList(0, n));
    }

    public PbftConfig config(List<String> committee) {
        return new PbftConfig(committee, maxBatch, batchDelay.toMillis(), checkpointInterval, logSize,
                requestTimeout.toMillis(), viewChangeTimeout.toMillis(), statusInterval.toMillis());
    }

    public boolean byzantine(String swarmId, String agentId) {
        return byzantineAgents.contains(swarmId + ":" + agentId);
    }
}
