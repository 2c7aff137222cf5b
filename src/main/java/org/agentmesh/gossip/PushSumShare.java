package org.agentmesh.gossip;

import org.agentmesh.serialization.CborSerializable;

/**
 * A slice of one peer's push-sum mass (Kempe, Dobra, Gehrke 2003), sent along with a digest.
 * Shares of an older epoch than the receiver's are dropped; a newer epoch makes the receiver start that epoch.
 *
 * @param loadSum     sum part of the mean-load average (weight {@code weight})
 * @param latencySum  sum part of the mean-latency average (weight {@code weight})
 * @param countSum    every peer starts with 1 here ...
 * @param countWeight ... and only one designated peer with weight 1, so countSum / countWeight tends to the number of peers
 */
public record PushSumShare(long epoch, double loadSum, double latencySum, double weight, double countSum,
                           double countWeight) implements CborSerializable {
}
