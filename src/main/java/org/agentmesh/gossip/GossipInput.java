package org.agentmesh.gossip;

import java.util.Objects;
import java.util.Set;

/** What a shell feeds into {@link GossipCore#step}. Local only: inputs never cross the wire. */
public sealed interface GossipInput {

    /** First input: announces this peer (JOINED rumor) and asks for the first tick. */
    record Start(Set<String> capabilities, double load, double reputation) implements GossipInput {
        public Start {
            Objects.requireNonNull(capabilities, "capabilities");
        }

        public static Start blank() {
            return new Start(Set.of(), 0.0, 1.0);
        }
    }

    /** The timer asked for by the last {@link GossipOutput.SetTimer} fired: run one gossip round. */
    record Tick() implements GossipInput {}

    /** A message arrived from {@code from}. */
    record Receive(String from, GossipMessage message) implements GossipInput {
        public Receive {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The application changed this peer's advertised state; bumps the own entry's version. */
    record Update(Set<String> capabilities, double load, double reputation) implements GossipInput {
        public Update {
            Objects.requireNonNull(capabilities, "capabilities");
        }
    }

    /** This peer's current mean latency, its contribution to the swarm-wide push-sum average. */
    record ReportLatency(double millis) implements GossipInput {}

    /** A failure detector declared {@code peer} dead. */
    record PeerFailed(String peer) implements GossipInput {
        public PeerFailed {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** Spread an application event to every peer (a CUSTOM rumor). */
    record Publish(String payload) implements GossipInput {
        public Publish {
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** This peer leaves gracefully: its entry becomes LEFT. The shell keeps ticking a few rounds so that it spreads. */
    record Leave() implements GossipInput {}

    /**
     * Re-plan the overlay (topology_optimize): from now on links follow {@code topology}, and live peers of the view
     * that are not in {@code live} (the swarm's confirmed live members) are taken as failed. The own entry is
     * republished with the new links at once.
     */
    record Replan(Set<String> live, OverlayTopology topology) implements GossipInput {
        public Replan {
            Objects.requireNonNull(live, "live");
            Objects.requireNonNull(topology, "topology");
        }
    }
}
