package org.agentmesh.gossip;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rumor mongering state of one peer: which rumors it has seen (to deliver each once) and which it is still spreading,
 * with how many sends it has left. Each peer sends a rumor at most {@code fanout * (ceil(log2(N + 1)) + extra)} times,
 * counting every message that carries it: about {@code log2(N) + extra} rounds of digests, since a peer sends about
 * {@code fanout} digests (and as many replies and pushes) per round. With N peers doing so, every peer hears it with
 * high probability. (A budget of log2(N) messages alone burns out within one round and missed peers in tests.)
 */
final class RumorMonger {

    /** A message carries at most this many rumors, oldest first, so a burst of events cannot blow up messages. */
    static final int MAX_PER_MESSAGE = 32;

    private static final class Spreading {
        final Rumor rumor;
        int sent;

        Spreading(Rumor rumor) {
            this.rumor = rumor;
        }
    }

    private final int fanout;
    private final int extra;
    private final long memoryMillis;
    /** rumor id -> when first seen; forgotten after {@code memoryMillis}, long after it stopped circulating. */
    private final Map<String, Long> seen = new HashMap<>();
    private final LinkedHashMap<String, Spreading> spreading = new LinkedHashMap<>();

    RumorMonger(int fanout, int extra, long memoryMillis) {
        this.fanout = fanout;
        this.extra = extra;
        this.memoryMillis = memoryMillis;
    }

    int retransmitLimit(int peers) {
        int log2 = 64 - Long.numberOfLeadingZeros(Math.max(1, peers)); // ceil(log2(peers + 1))
        return fanout * (log2 + extra);
    }

    /** Takes a rumor in; returns true when it is new (deliver it to the application). */
    boolean accept(Rumor rumor, long now) {
        if (seen.putIfAbsent(rumor.id(), now) != null) {
            return false;
        }
        spreading.put(rumor.id(), new Spreading(rumor));
        return true;
    }

    boolean hasSeen(String id) {
        return seen.containsKey(id);
    }

    /**
     * Rumors to put on one outgoing message; counts that message as one send of each. The limit is taken with the
     * current swarm size, so a rumor started by a peer that has just joined (and knows nobody yet) is not starved.
     */
    List<Rumor> takeForOneMessage(int peers) {
        int limit = retransmitLimit(peers);
        if (spreading.isEmpty()) {
            return List.of();
        }
        List<Rumor> out = new ArrayList<>(Math.min(spreading.size(), MAX_PER_MESSAGE));
        Iterator<Spreading> it = spreading.values().iterator();
        while (it.hasNext() && out.size() < MAX_PER_MESSAGE) {
            Spreading s = it.next();
            out.add(s.rumor);
            if (++s.sent >= limit) {
                it.remove();
            }
        }
        return out;
    }

    int spreadingCount() {
        return spreading.size();
    }

    void forgetOld(long now) {
        seen.values().removeIf(at -> now - at > memoryMillis);
    }
}
