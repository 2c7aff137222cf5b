package org.agentmesh.proposals;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.agentmesh.pbft.PbftConfig;

/**
 * {@code agent-mesh.pbft}: the committee size, the protocol's knobs, proposal defaults, and the test-only byzantine hook
 * (honoured only when {@code test-hooks.enabled} is on, which only tests set).
 */
public record PbftSettings(int committeeSize, int maxBatch, Duration batchDelay, int checkpointInterval, int logSize,
        Duration requestTimeout, Duration viewChangeTimeout, Duration statusInterval, Duration clientRetransmit,
        Duration submitTimeout, double defaultThreshold, Duration defaultDeadline, boolean autoVote, Duration deadlineTick,
        Map<String, ByzantineMode> byzantine) {

    /** What a byzantine replica does (test hook). */
    public enum ByzantineMode {
        /** Signs its protocol messages wrongly, lies in its replies, votes against its policy, votes twice and for others. */
        FORGE,
        /** Sends nothing at all (as a crashed replica would). */
        SILENT,
        /** As primary, sends different validly signed pre-prepares for the same sequence number to different backups. */
        EQUIVOCATE,
        /** Behaves correctly and also re-sends protocol messages it received earlier (validly signed by others). */
        REPLAY
    }

    public PbftSettings {
        byzantine = Map.copyOf(byzantine);
    }

    public static PbftSettings from(Config root) {
        Config c = root.getConfig("agent-mesh.pbft");
        boolean hooks = c.getBoolean("test-hooks.enabled");
        Map<String, ByzantineMode> byzantine = new TreeMap<>();
        if (hooks) {
            ByzantineMode mode = ByzantineMode.valueOf(c.getString("test-hooks.byzantine-mode").toUpperCase());
            c.getStringList("test-hooks.byzantine-agents").forEach(id -> byzantine.put(id, mode));
            c.getConfig("test-hooks.byzantine-modes").root().unwrapped().forEach((id, m) ->
                    byzantine.put(id, ByzantineMode.valueOf(String.valueOf(m).toUpperCase())));
        }
        return new PbftSettings(c.getInt("committee-size"), c.getInt("max-batch"), c.getDuration("batch-delay"),
                c.getInt("checkpoint-interval"), c.getInt("log-size"), c.getDuration("request-timeout"),
                c.getDuration("view-change-timeout"), c.getDuration("status-interval"), c.getDuration("client-retransmit"),
                c.getDuration("submit-timeout"), c.getDouble("default-threshold"), c.getDuration("default-deadline"),
                c.getBoolean("auto-vote"), c.getDuration("deadline-tick"),
                byzantine);
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

    /** The test hook's mode for this replica; empty for a correct one (always, unless test hooks are on). */
    public Optional<ByzantineMode> byzantine(String swarmId, String agentId) {
        return Optional.ofNullable(byzantine.get(swarmId + ":" + agentId));
    }
}
