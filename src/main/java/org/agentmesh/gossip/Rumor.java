package org.agentmesh.gossip;

import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * An event spread by rumor mongering and delivered once to the application at every peer.
 *
 * <p>Ids of membership rumors are derived from their content ({@code suspected:<peer>:<version>}) so that many peers
 * noticing the same thing start one rumor, not many.
 *
 * @param origin  the peer that started it
 * @param subject the peer it is about (the origin itself for JOINED, LEFT and CUSTOM)
 * @param payload application text for CUSTOM, empty otherwise
 */
public record Rumor(String id, RumorKind kind, String origin, String subject, String payload) implements CborSerializable {

    public Rumor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(payload, "payload");
    }
}
