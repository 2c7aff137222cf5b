package org.agentmesh.gossip;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * The gossip wire protocol: one push-pull anti-entropy exchange is {@code Digest -> Summary -> Reply -> Push}; rumors
 * ride on all of them, push-sum shares on the digest.
 *
 * <p>Why four legs: heartbeats are not data (liveness is seen from the messages themselves), so in a steady swarm
 * almost nothing changes between two exchanges. The digest is therefore only a hash per bucket of peers (about one
 * bucket per 32 peers); the partner answers with the stamps of the few buckets that differ, and only then do entries
 * flow, in both directions. Two peers that agree exchange a few hundred bytes whatever the swarm size.
 *
 * <p>Lists of peers are sorted by peer id: both sides then reconcile with one sequential merge. Messages are treated
 * as immutable; their lists and arrays are not copied.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = GossipMessage.Digest.class, name = "digest"),
        @JsonSubTypes.Type(value = GossipMessage.Summary.class, name = "summary"),
        @JsonSubTypes.Type(value = GossipMessage.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = GossipMessage.Push.class, name = "push")
})
public sealed interface GossipMessage extends CborSerializable {

    String from();

    List<Rumor> rumors();

    /**
     * "This is what I have", compressed: {@code buckets[b]} is the XOR of {@link PeerView#entryHash} over the sender's
     * entries whose id falls into bucket {@code b} of {@code buckets.length} (a power of two, see
     * {@link PeerView#bucketOf}).
     */
    record Digest(String from, long[] buckets, List<Rumor> rumors, PushSumShare share) implements GossipMessage {
        public Digest {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(buckets, "buckets");
            Objects.requireNonNull(rumors, "rumors");
            Objects.requireNonNull(share, "share");
            if (buckets.length == 0 || Integer.bitCount(buckets.length) != 1) {
                throw new IllegalArgumentException("bucket count must be a power of two, was " + buckets.length);
            }
        }

        // a record compares arrays by identity; a digest is a value
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && from.equals(d.from) && Arrays.equals(buckets, d.buckets)
                    && rumors.equals(d.rumors) && share.equals(d.share);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, Arrays.hashCode(buckets), rumors, share);
        }

        @Override
        public String toString() {
            return "Digest[from=" + from + ", buckets=" + buckets.length + ", rumors=" + rumors.size() + ", share=" + share + "]";
        }
    }

    /**
     * The partner's answer to a digest (always sent: it is also the acknowledgement a failure detector needs): the
     * buckets whose hashes differed and the stamp ({@link PeerEntry#stamp()}) of every entry the partner holds in them.
     *
     * @param bucketCount the digest's bucket count
     * @param buckets     the differing buckets, ascending
     * @param peers       the partner's peer ids in those buckets, sorted ascending
     * @param stamps      {@code stamps[i]} belongs to {@code peers.get(i)}
     */
    record Summary(String from, int bucketCount, int[] buckets, List<String> peers, long[] stamps, List<Rumor> rumors)
            implements GossipMessage {
        public Summary {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(buckets, "buckets");
            Objects.requireNonNull(peers, "peers");
            Objects.requireNonNull(stamps, "stamps");
            Objects.requireNonNull(rumors, "rumors");
            // a bucket count that is no power of two, or buckets out of range, are refused by the receiving core
            if (bucketCount <= 0) {
                throw new IllegalArgumentException("bucket count must be > 0, was " + bucketCount);
            }
            if (peers.size() != stamps.length) {
                throw new IllegalArgumentException("peers and stamps differ in length");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Summary d && from.equals(d.from) && bucketCount == d.bucketCount
                    && Arrays.equals(buckets, d.buckets) && peers.equals(d.peers) && Arrays.equals(stamps, d.stamps)
                    && rumors.equals(d.rumors);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, bucketCount, Arrays.hashCode(buckets), peers, Arrays.hashCode(stamps), rumors);
        }

        @Override
        public String toString() {
            return "Summary[from=" + from + ", buckets=" + buckets.length + "/" + bucketCount + ", peers=" + peers.size()
                    + ", rumors=" + rumors.size() + "]";
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

    /**
     * Entries sent unasked: the last leg of an exchange (what the partner asked for, {@code hops} 0), or a fresh
     * change pushed at once as a rumor ({@code hops} > 0: a receiver that learns something new from it forwards it
     * with one hop less), so that a change does not wait for the next round.
     */
    record Push(String from, List<PeerEntry> entries, List<Rumor> rumors, int hops) implements GossipMessage {
        public Push {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(entries, "entries");
            Objects.requireNonNull(rumors, "rumors");
            if (hops < 0) {
                throw new IllegalArgumentException("hops must be >= 0, was " + hops);
            }
        }

        public Push(String from, List<PeerEntry> entries, List<Rumor> rumors) {
            this(from, entries, rumors, 0);
        }
    }
}
