package org.agentmesh.bench;

import java.util.Collection;
import java.util.List;
import org.agentmesh.gossip.GossipMessage;
import org.agentmesh.gossip.PeerEntry;
import org.agentmesh.gossip.PushSumShare;
import org.agentmesh.gossip.Rumor;

/**
 * Estimated CBOR size of a gossip message as Jackson writes it (field names included), computed without encoding:
 * encoding every message of a 10,000-peer simulation would cost more than the simulation. A test keeps the estimate
 * within a few percent of the real encoding.
 */
public final class GossipWireSize {

    private GossipWireSize() {}

    public static int estimate(GossipMessage m) {
        if (m instanceof GossipMessage.Digest d) {
            int size = header(5) + field("type") + text("digest") + field("from") + text(d.from());
            size += field("buckets") + arrayHeader(d.buckets().length);
            for (long h : d.buckets()) {
                size += integer(h);
            }
            return size + field("rumors") + rumors(d.rumors()) + field("share") + share(d.share());
        }
        if (m instanceof GossipMessage.Summary s) {
            int size = header(7) + field("type") + text("summary") + field("from") + text(s.from());
            size += field("bucketCount") + integer(s.bucketCount()) + field("buckets") + arrayHeader(s.buckets().length);
            for (int b : s.buckets()) {
                size += integer(b);
            }
            size += field("peers") + strings(s.peers()) + field("stamps") + arrayHeader(s.stamps().length);
            for (long st : s.stamps()) {
                size += integer(st);
            }
            return size + field("rumors") + rumors(s.rumors());
        }
        if (m instanceof GossipMessage.Reply r) {
            return header(5) + field("type") + text("reply") + field("from") + text(r.from()) + field("newer")
                    + entries(r.newer()) + field("wanted") + strings(r.wanted()) + field("rumors") + rumors(r.rumors());
        }
        GossipMessage.Push p = (GossipMessage.Push) m;
        return header(5) + field("type") + text("push") + field("from") + text(p.from()) + field("entries")
                + entries(p.entries()) + field("rumors") + rumors(p.rumors()) + field("hops") + integer(p.hops());
    }

    static int entry(PeerEntry e) {
        return header(9) + field("peerId") + text(e.peerId()) + field("version") + integer(e.version())
                + field("heartbeat") + integer(e.heartbeat()) + field("capabilities") + strings(e.capabilities())
                + field("load") + 9 + field("reputation") + 9 + field("status") + text(e.status().name())
                + field("links") + strings(e.links()) + field("changedAtMillis") + integer(e.changedAtMillis());
    }

    private static int entries(List<PeerEntry> entries) {
        int size = arrayHeader(entries.size());
        for (PeerEntry e : entries) {
            size += entry(e);
        }
        return size;
    }

    private static int rumors(List<Rumor> rumors) {
        int size = arrayHeader(rumors.size());
        for (Rumor r : rumors) {
            size += header(5) + field("id") + text(r.id()) + field("kind") + text(r.kind().name()) + field("origin")
                    + text(r.origin()) + field("subject") + text(r.subject()) + field("payload") + text(r.payload());
        }
        return size;
    }

    private static int share(PushSumShare s) {
        return header(6) + field("epoch") + integer(s.epoch()) + field("loadSum") + 9 + field("latencySum") + 9
                + field("weight") + 9 + field("countSum") + 9 + field("countWeight") + 9;
    }

    private static int strings(Collection<String> values) {
        int size = arrayHeader(values.size());
        for (String s : values) {
            size += text(s);
        }
        return size;
    }

    private static int field(String name) {
        return text(name);
    }

    private static int header(int fields) {
        return 1;
    }

    private static int arrayHeader(int n) {
        return lengthPrefix(n);
    }

    /** ASCII text: a length prefix and one byte per char (ids and names are ASCII here). */
    private static int text(String s) {
        return lengthPrefix(s.length()) + s.length();
    }

    private static int integer(long v) {
        long u = v < 0 ? -1 - v : v;
        return lengthPrefix(u);
    }

    private static int lengthPrefix(long n) {
        if (n < 24) {
            return 1;
        }
        if (n < 256) {
            return 2;
        }
        if (n < 65_536) {
            return 3;
        }
        if (n < 4_294_967_296L) {
            return 5;
        }
        return 9;
    }
}
