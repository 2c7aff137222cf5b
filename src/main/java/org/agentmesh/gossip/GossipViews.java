package org.agentmesh.gossip;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest view of every gossip member running on this node, published by the members themselves after each step.
 * Readers on the node (task routing, metrics) take a snapshot without a message round trip; snapshots are immutable.
 */
public final class GossipViews {

    private final Map<String, Map<String, GossipMember.View>> bySwarm = new ConcurrentHashMap<>();

    /** Members publish their latest view here after every step (public so that tests can stand in for a member). */
    public void publish(GossipMember.View view) {
        bySwarm.computeIfAbsent(view.swarmId(), s -> new ConcurrentHashMap<>()).put(view.agentId(), view);
    }

    void remove(String swarmId, String agentId) {
        bySwarm.computeIfPresent(swarmId, (s, members) -> {
            members.remove(agentId);
            return members.isEmpty() ? null : members;
        });
    }

    /** Swarms with a member on this node. */
    public java.util.Set<String> swarms() {
        return java.util.Set.copyOf(bySwarm.keySet());
    }

    /** Views of the swarm's members that live on this node (started ones only). */
    public Collection<GossipMember.View> local(String swarmId) {
        Map<String, GossipMember.View> members = bySwarm.get(swarmId);
        return members == null ? List.of() : List.copyOf(members.values());
    }

    public Optional<GossipMember.View> local(String swarmId, String agentId) {
        Map<String, GossipMember.View> members = bySwarm.get(swarmId);
        return members == null ? Optional.empty() : Optional.ofNullable(members.get(agentId));
    }

    /** The local view that knows the most peers: the best this node has without asking anyone. */
    public Optional<GossipMember.View> best(String swarmId) {
        return local(swarmId).stream().filter(GossipMember.View::started)
                .max(java.util.Comparator.comparingInt((GossipMember.View v) -> v.peers().size())
                        .thenComparingLong(v -> v.stats().rounds()));
    }
}
