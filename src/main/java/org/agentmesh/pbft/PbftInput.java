package org.agentmesh.pbft;

/** What a shell feeds into {@link PbftCore#step} or {@link PbftClient#step}. */
public sealed interface PbftInput permits PbftInput.Deliver, PbftInput.TimerFired {

    /** A message arrived (from the network; its origin is established by its signature, not by the transport). */
    record Deliver(PbftMessage message) implements PbftInput {}

    /** A timer set by a {@link PbftOutput.SetTimer} went off (a stale or cancelled one is ignored by the core). */
    record TimerFired(TimerKind kind) implements PbftInput {}
}
