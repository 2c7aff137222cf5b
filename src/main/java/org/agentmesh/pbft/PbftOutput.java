package org.agentmesh.pbft;

import java.util.List;

/** What {@link PbftCore#step} and {@link PbftClient#step} ask their shell to do, or report. */
public sealed interface PbftOutput {

    /**
     * Write {@code event} durably before carrying out any output that follows it (in this list or a later one); a shell
     * that keeps nothing across restarts may ignore it.
     */
    record Persist(DurableEvent event) implements PbftOutput {}

    /** Send {@code message} to one replica (or, from a client, to one replica). */
    record Send(String to, PbftMessage message) implements PbftOutput {}

    /** Send {@code message} to every replica except the sender. */
    record Broadcast(PbftMessage message) implements PbftOutput {}

    /** Send a reply to a client. */
    record ReplyToClient(String client, PbftMessage.Reply reply) implements PbftOutput {}

    /** The batch committed at {@code seq} was executed (in sequence order); {@code results} match the batch. */
    record Executed(long seq, long view, String digest, List<PbftMessage.Request> batch, List<String> results)
            implements PbftOutput {}

    /** Arm timer {@code kind} to fire {@code delayMillis} from now (replacing an armed one). */
    record SetTimer(TimerKind kind, long delayMillis) implements PbftOutput {}

    record CancelTimer(TimerKind kind) implements PbftOutput {}

    /** This replica started changing to {@code view}. */
    record ViewChangeStarted(long view) implements PbftOutput {}

    /** This replica installed {@code view} (a NEW-VIEW was accepted or, at the new primary, sent). */
    record ViewChanged(long view, String primary) implements PbftOutput {}

    record CheckpointStable(long seq, String digest) implements PbftOutput {}

    /** The state at stable checkpoint {@code seq} was fetched from peers and installed. */
    record StateTransferred(long seq) implements PbftOutput {}

    record Dropped(DropReason reason, String messageType, String claimedSender) implements PbftOutput {}

    /** Client side: the request with {@code timestamp} got f+1 matching replies. */
    record Completed(long timestamp, String operation, String result) implements PbftOutput {}
}
