package org.agentmesh.gossip;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * The gossip wire protocol: one push-pull anti-entropy exchange is {@code Digest -> Reply -> Push}; rumors ride on all
 * three, push-sum shares on the digest.
 *
 * <p>Lists of peers are sorted by peer id: both sides then reconcile a digest with one sequential merge over their
 * sorted views instead of a hash lookup per peer, which is what makes 1,000-peer digests cheap. Messages are treated as
 * immutable; their lists are not copied.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = GossipMessage.Digest.class, name = "digest"),
        @JsonSubTypes.Type(value = GossipMessage.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = GossipMessage.Push.class, name = "push")
})
public sealed interface GossipMessage extends CborSerializable {

    String from();

    List<Rumor> rumors();

    /**
     * "This is what I have": the stamp ({@link PeerEntry#stamp()}) of every entry of the sender's view.
     *
     * @param peers  peer ids, sorted ascending
     * @param stamps {@code stamps[i]} belongs to {@code peers.get(i)}
     */
    record Digest(String from, List<String> peers, long[] stamps, List<Rumor> rumors, PushSumShare share)
            implements GossipMessage {
        public Digest {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(peers, "peers");
            Objects.requireNonNull(stamps, "stamps");
            Objects.requireNonNull(rumors, "rumors");
            Objects.requireNonNull(share, "share");
            if (peers.size() != stamps.length) {
                throw new IllegalArgumentException("peers and stamps differ in length");
            }
        }

        // a record compares arrays by identity; a digest is a value
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && from.equals(d.from) && peers.equals(d.peers) && Arrays.equals(stamps, d.stamps)
                    && rumors.equals(d.rumors) && share.equals(d.share);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, peers, Arrays.hashCode(stamps), rumors, share);
        }

        @Override
        public String toString() {
            return "Digest[from=" + from + ", peers=" + peers.size() + ", rumors=" + rumors.size() + ", share=" + share + "]";
        }
    }

    /**
     * The partner's answer: the entries it has that are newer than the digest (or missing from it), and the ids of
     * the entries it wants because the digest showed them newer or unknown. Both sorted by peer id.
     */
    record Reply(String from, List<PeerEntry> newer, List<String> wanted, List<Rumor> rumors) implements GossipMessage {
        public Reply {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(newer, "newer");
            Objects.requireNonNull(wanted, "wanted");
            Objects.requireNonNull(rumors, "rumors");
        }
    }

    /** The initiator's last leg: the entries the partner asked for, sorted by peer id. */
    record Push(String from, List<PeerEntry> entries, List<Rumor> rumors) implements GossipMessage {
        public Push {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(entries, "entries");
            Objects.requireNonNull(rumors, "rumors");
        }
    }
}
