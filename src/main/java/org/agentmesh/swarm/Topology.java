package org.agentmesh.swarm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Shape of a swarm's overlay network. Mesh is the one built so far; others are refused until they exist. */
public enum Topology {
    MESH;

    /** The name clients and the journal use. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Topology> parse(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName().equals(name)).findFirst();
    }

    public static String supported() {
        return Arrays.stream(values()).map(Topology::wireName).collect(Collectors.joining(", "));
    }

    @JsonCreator
    static Topology fromWire(String name) {
        return parse(name).orElseThrow(() -> new IllegalArgumentException("unknown topology '" + name + "'"));
    }
}
