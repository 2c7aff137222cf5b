package org.agentmesh.failure;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * When Pekko Cluster's own failure detector first marked each member unreachable, as seen from this node: the
 * baseline our detector is measured against. It polls the cluster state every 50 ms (no subscription, so nothing here
 * has to cross a serializer), and also gives this node's own majority among cluster members, the write guard's fallback.
 */
public final class ClusterReachabilityLog {

    private final ActorSystem<?> system;
    /** address -> wall-clock millis of the first poll that saw it unreachable (since it was last reachable) */
    private final Map<String, Long> unreachableSince = new TreeMap<>();
    /** address -> every unreachable episode start seen (most recent last) */
    private final Map<String, java.util.List<Long>> episodes = new TreeMap<>();

    public ClusterReachabilityLog(ActorSystem<?> system) {
        this.system = system;
        Duration every = Duration.ofMillis(50);
        system.scheduler().scheduleAtFixedRate(every, every, this::poll, system.executionContext());
    }

    private synchronized void poll() {
        Set<String> now = new HashSet<>();
        for (Member m : Cluster.get(system).state().getUnreachable()) {
            now.add(m.address().hostPort());
        }
        long t = System.currentTimeMillis();
        for (String a : now) {
            if (!unreachableSince.containsKey(a)) {
                unreachableSince.put(a, t);
                episodes.computeIfAbsent(a, x -> new java.util.ArrayList<>()).add(t);
            }
        }
        unreachableSince.keySet().retainAll(now);
    }

    /** For each member address ({@code system@host:port}) the start times of its unreachable episodes, oldest first. */
    public synchronized Map<String, java.util.List<Long>> unreachableEpisodes() {
        Map<String, java.util.List<Long>> copy = new TreeMap<>();
        episodes.forEach((a, l) -> copy.put(a, java.util.List.copyOf(l)));
        return copy;
    }

    /** This node's side: members it reaches (itself included) among Up/Joining/WeaklyUp members it knows. */
    public PartitionStatus clusterStatus(PartitionDetectorConfig config) {
        var state = Cluster.get(system).state();
        Set<Member> unreachable = state.getUnreachable();
        java.util.List<MemberView> views = new java.util.ArrayList<>();
        for (Member m : state.getMembers()) {
            views.add(new MemberView(m.status(), !unreachable.contains(m)));
        }
        return clusterStatus(views, config);
    }

    /** A member as this node sees it: its membership status and whether this node reaches it. */
    public record MemberView(MemberStatus status, boolean reachable) {}

    /**
     * The side this node is on among {@code members}: only Up, WeaklyUp and Joining members count, and only their
     * reachability. A downed member stays unreachable until it is removed; counting it against the others (as this
     * did once) made the majority side READ_ONLY for that second: its writes were refused and its reads went to
     * whichever member answered first, stale or not (a linearizability test caught it).
     */
    static PartitionStatus clusterStatus(java.util.List<MemberView> members, PartitionDetectorConfig config) {
        int known = 0;
        int reachable = 0;
        for (MemberView m : members) {
            if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp() || m.status() == MemberStatus.joining()) {
                known++;
                if (m.reachable()) {
                    reachable++;
                }
            }
        }
        known = Math.max(known, 1);
        reachable = Math.max(1, reachable); // this node reaches itself, whatever its own status says
        int needed = config.needed(known);
        PartitionMode mode = reachable >= needed ? PartitionMode.NORMAL : PartitionMode.READ_ONLY;
        return new PartitionStatus(mode, reachable, known, needed, 0);
    }

    /** Every member this node knows, as {@code host:port status} (plus " unreachable"), sorted: to compare views across nodes. */
    public java.util.List<String> members() {
        var state = Cluster.get(system).state();
        java.util.Set<Member> unreachable = state.getUnreachable();
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Member m : state.getMembers()) {
            out.add(m.address().hostPort().replaceFirst("^[^@]*@", "") + " " + m.status() + (unreachable.contains(m) ? " unreachable" : ""));
        }
        out.sort(null);
        return out;
    }
}
