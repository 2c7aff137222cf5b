package org.agentmesh.serialization;

/**
 * Marker for every message and event that crosses nodes or is persisted. {@code reference.conf} binds it to Pekko's
 * {@code jackson-cbor} serializer, so records implementing it need no serializer code of their own.
 *
 * <p>A record field whose declared type is an interface (a sealed protocol type, say) needs
 * {@code @JsonTypeInfo}/{@code @JsonSubTypes} on that interface so the concrete type survives the round trip.
 */
public interface CborSerializable {}
