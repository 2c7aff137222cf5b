package org.agentmesh.pbft;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * Every message of the pBFT protocol (Castro and Liskov, OSDI'99), client requests and replies included.
 *
 * <p>Each message names its {@link #sender()} and carries its {@link #signature()}: the sender's signature (base64)
 * over the {@linkplain CanonicalEncoding#content canonical encoding} of the message with an empty signature field.
 * A receiver verifies it with the sender's public key from the {@link KeyRing}; nothing else authenticates a message,
 * so messages may be forwarded, retransmitted and embedded in proofs (view changes, new views) by anyone.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PbftMessage.Request.class, name = "request"),
    @JsonSubTypes.Type(value = PbftMessage.PrePrepare.class, name = "pre-prepare"),
    @JsonSubTypes.Type(value = PbftMessage.Prepare.class, name = "prepare"),
    @JsonSubTypes.Type(value = PbftMessage.Commit.class, name = "commit"),
    @JsonSubTypes.Type(value = PbftMessage.Reply.class, name = "reply"),
    @JsonSubTypes.Type(value = PbftMessage.Checkpoint.class, name = "checkpoint"),
    @JsonSubTypes.Type(value = PbftMessage.ViewChange.class, name = "view-change"),
    @JsonSubTypes.Type(value = PbftMessage.NewView.class, name = "new-view"),
    @JsonSubTypes.Type(value = PbftMessage.Status.class, name = "status"),
    @JsonSubTypes.Type(value = PbftMessage.StateRequest.class, name = "state-request"),
    @JsonSubTypes.Type(value = PbftMessage.StateReply.class, name = "state-reply")
})
public sealed interface PbftMessage extends CborSerializable
        permits PbftMessage.Request, PbftMessage.PrePrepare, PbftMessage.Prepare, PbftMessage.Commit,
                PbftMessage.Reply, PbftMessage.Checkpoint, PbftMessage.ViewChange, PbftMessage.NewView,
                PbftMessage.Status, PbftMessage.StateRequest, PbftMessage.StateReply {

    String sender();

    /** Base64 signature of the sender over the canonical content; empty while unsigned. */
    String signature();

    /** This message with another signature (the empty string gives the content that is signed). */
    PbftMessage withSignature(String signature);

    /** A client's operation; {@code timestamp} orders one client's requests (exactly-once execution). */
    record Request(String sender, long timestamp, String operation, String signature) implements PbftMessage {
        public Request {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(signature, "signature");
        }

        public String key() {
            return sender + "@" + timestamp;
        }

        @Override
        public Request withSignature(String signature) {
            return new Request(sender, timestamp, operation, signature);
        }
    }

    /** The primary of {@code view} assigns {@code seq} to a batch of requests; an empty batch is the null request. */
    record PrePrepare(long view, long seq, String digest, List<Request> batch, String sender, String signature)
            implements PbftMessage {
        public PrePrepare {
            batch = List.copyOf(batch);
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public PrePrepare withSignature(String signature) {
            return new PrePrepare(view, seq, digest, batch, sender, signature);
        }
    }

    record Prepare(long view, long seq, String digest, String sender, String signature) implements PbftMessage {
        public Prepare {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public Prepare withSignature(String signature) {
            return new Prepare(view, seq, digest, sender, signature);
        }
    }

    record Commit(long view, long seq, String digest, String sender, String signature) implements PbftMessage {
        public Commit {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public Commit withSignature(String signature) {
            return new Commit(view, seq, digest, sender, signature);
        }
    }

    /** A replica's result for the client's request with {@code timestamp}. */
    record Reply(long view, long timestamp, String client, String result, String sender, String signature)
            implements PbftMessage {
        public Reply {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public Reply withSignature(String signature) {
            return new Reply(view, timestamp, client, result, sender, signature);
        }
    }

    /** The digest of the replica's state after executing {@code seq}. */
    record Checkpoint(long seq, String stateDigest, String sender, String signature) implements PbftMessage {
        public Checkpoint {
            Objects.requireNonNull(stateDigest, "stateDigest");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public Checkpoint withSignature(String signature) {
            return new Checkpoint(seq, stateDigest, sender, signature);
        }
    }

    /**
     * The sender moves to {@code newView}: its stable checkpoint (with 2f+1 checkpoint messages as proof, empty at 0)
     * and a prepared certificate for each sequence number above it that prepared at the sender.
     */
    record ViewChange(long newView, long stableSeq, List<Checkpoint> stableProof, List<PreparedCertificate> prepared,
            String sender, String signature) implements PbftMessage {
        public ViewChange {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
            stableProof = List.copyOf(stableProof);
            prepared = List.copyOf(prepared);
        }

        @Override
        public ViewChange withSignature(String signature) {
            return new ViewChange(newView, stableSeq, stableProof, prepared, sender, signature);
        }
    }

    /** The new primary's proof (2f+1 view changes) and the pre-prepares it recomputed from them (the O set). */
    record NewView(long view, List<ViewChange> viewChanges, List<PrePrepare> prePrepares, String sender, String signature)
            implements PbftMessage {
        public NewView {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
            viewChanges = List.copyOf(viewChanges);
            prePrepares = List.copyOf(prePrepares);
        }

        @Override
        public NewView withSignature(String signature) {
            return new NewView(view, viewChanges, prePrepares, sender, signature);
        }
    }

    /** Periodic progress report; peers answer a lagging sender with what it misses (retransmission). */
    record Status(long view, boolean viewActive, long lastExecuted, long stableSeq, String sender, String signature)
            implements PbftMessage {
        public Status {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public Status withSignature(String signature) {
            return new Status(view, viewActive, lastExecuted, stableSeq, sender, signature);
        }
    }

    /** Asks for the state at a stable checkpoint the sender has fallen behind. */
    record StateRequest(long seq, String sender, String signature) implements PbftMessage {
        public StateRequest {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public StateRequest withSignature(String signature) {
            return new StateRequest(seq, sender, signature);
        }
    }

    /** The state at checkpoint {@code seq}; the receiver checks it against the stable checkpoint digest. */
    record StateReply(long seq, ReplicaSnapshot state, String sender, String signature) implements PbftMessage {
        public StateReply {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public StateReply withSignature(String signature) {
            return new StateReply(seq, state, sender, signature);
        }
    }
}
