package org.agentmesh.failure;

import com.typesafe.config.Config;

/** The failure detector and partition detector tuning, read from {@code agent-mesh.failure-detector} and {@code agent-mesh.partition}. */
public record FailureSettings(FailureDetectorConfig detector, PartitionDetectorConfig partition) {

    /** @param root the whole configuration (the system's) */
    public static FailureSettings from(Config root) {
        Config fd = root.getConfig("agent-mesh.failure-detector");
        Config p = root.getConfig("agent-mesh.partition");
        FailureDetectorConfig detector = new FailureDetectorConfig(
                fd.getDuration("probe-interval").toMillis(),
                fd.getDuration("timeout").toMillis(),
                fd.getInt("indirect-probes"),
                fd.getDuration("helper-min-wait").toMillis(),
                fd.getDuration("suspicion-min").toMillis(),
                fd.getDuration("suspicion-max").toMillis(),
                fd.getDouble("quorum-fraction"),
                fd.getInt("min-confirmations"),
                fd.getDuration("liveness-timeout").toMillis(),
                fd.getInt("max-piggyback"),
                fd.getInt("retransmit-multiplier"));
        PartitionDetectorConfig partition = new PartitionDetectorConfig(
                p.getDouble("majority-fraction"),
                p.getDuration("enter-read-only-after").toMillis(),
                p.getDuration("exit-read-only-after").toMillis());
        return new FailureSettings(detector, partition);
    }
}
