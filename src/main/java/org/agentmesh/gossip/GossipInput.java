package org.agentmesh.gossip;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What a shell feeds into {@link GossipCore#step}. Local only: inputs never cross the wire. */
public sealed interface GossipInput {

    /**
     * First input: announces this peer (JOINED rumor) and asks for the first tick. {@code known} is a peer list with
     * topology handed over at bootstrap (a snapshot of the swarm's entries, say from a seed); when it already lists
     * this peer, the swarm knows it and no JOINED rumor is started.
     */
    record Start(Set<String> capabilities, double load, double reputation, List<PeerEntry> known) implements GossipInput {
        public Start {
            Objects.requireNonNull(capabilities, "capabilities");
            Objects.requireNonNull(known, "known");
        }

        public Start(Set<String> capabilities, double load, double reputation) {
            this(capabilities, load, reputation, List.of());
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

    /**
     * A failure detector found {@code peer} alive again after declaring it dead (it refuted, or restarted elsewhere):
     * its newer live entries count again at once, instead of being taken in as DEAD until {@code deadAfterMillis}.
     */
    record PeerAlive(String peer) implements GossipInput {
        public PeerAlive {
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
     * Re-plan the overlay (topology_optimize): from now on links follow {@code topology} over the live peers of the
     * view, and the own entry is republished with the new links at once (pushed, when changes are pushed).
     */
    record Replan(OverlayTopology topology) implements GossipInput {
        public Replan {
            Objects.requireNonNull(topology, "topology");
        }
    }
}
