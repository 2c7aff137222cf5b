package org.agentmesh.failure;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.agentmesh.serialization.CborSerializable;

/**
 * What failure detectors send each other. Every message carries the sender's own incarnation (so any message from a
 * refuted agent spreads its refutation) and piggybacked membership updates. The sender's identity is not in the
 * message: the transport (the actor shell, the simulated network) knows who sent it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = FailureDetectorMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = FailureDetectorMessage.Ack.class, name = "ack"),
    @JsonSubTypes.Type(value = FailureDetectorMessage.PingReq.class, name = "ping-req"),
    @JsonSubTypes.Type(value = FailureDetectorMessage.PingReqAnswer.class, name = "ping-req-answer"),
    @JsonSubTypes.Type(value = FailureDetectorMessage.Gossip.class, name = "gossip")
})
public sealed interface FailureDetectorMessage extends CborSerializable
        permits FailureDetectorMessage.Ping, FailureDetectorMessage.Ack, FailureDetectorMessage.PingReq,
                FailureDetectorMessage.PingReqAnswer, FailureDetectorMessage.Gossip {

    /** The sender's incarnation. */
    int incarnation();

    List<MemberUpdate> updates();

    /**
     * A heartbeat/probe. {@code beats} is the sender's heartbeat digest: for each agent, the newest heartbeat
     * (that agent's own clock reading when it started a probe round) the sender knows of. It gives every agent
     * fresh positive evidence about agents it does not watch, which the partition detector needs.
     */
    record Ping(long seq, int incarnation, List<MemberUpdate> updates, Map<String, Long> beats)
            implements FailureDetectorMessage {
        public Ping {
            updates = List.copyOf(updates);
            beats = Collections.unmodifiableMap(new TreeMap<>(beats)); // sorted: same iteration order in every JVM
        }
    }

    /** The answer to a {@link Ping} with the same {@code seq}. */
    record Ack(long seq, int incarnation, List<MemberUpdate> updates, Map<String, Long> beats)
            implements FailureDetectorMessage {
        public Ack {
            updates = List.copyOf(updates);
            beats = Collections.unmodifiableMap(new TreeMap<>(beats)); // sorted: same iteration order in every JVM
        }
    }

    /**
     * "I suspect {@code target} (at {@code targetIncarnation}): probe it and tell me whether you reach it."
     * Sent to other agents that watch the target; it also tells them the sender independently suspects it.
     */
    record PingReq(long requestId, String target, int targetIncarnation, int incarnation, List<MemberUpdate> updates)
            implements FailureDetectorMessage {
        public PingReq {
            Objects.requireNonNull(target, "target");
            updates = List.copyOf(updates);
        }
    }

    /**
     * A helper's answer to a {@link PingReq}: {@code reached} if the target answered after the request arrived;
     * otherwise the helper heard nothing from it for a whole timeout, which counts as a confirmation.
     */
    record PingReqAnswer(long requestId, String target, boolean reached, int targetIncarnation, int incarnation,
            List<MemberUpdate> updates) implements FailureDetectorMessage {
        public PingReqAnswer {
            Objects.requireNonNull(target, "target");
            updates = List.copyOf(updates);
        }
    }

    /** News pushed at once to overlay neighbours (suspicions, refutations, failures), so it spreads in milliseconds. */
    record Gossip(int incarnation, List<MemberUpdate> updates) implements FailureDetectorMessage {
        public Gossip {
            updates = List.copyOf(updates);
        }
    }
}
