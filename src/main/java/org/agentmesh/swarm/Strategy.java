package org.agentmesh.swarm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a swarm assigns tasks to its agents (see the task issue); round-robin and random are baselines. */
public enum Strategy {
    CAPABILITY("capability"),
    AUCTION("auction"),
    DHT("dht"),
    ROUND_ROBIN("round-robin"),
    RANDOM("random");

    private final String wireName;

    Strategy(String wireName) {
        this.wireName = wireName;
    }

    /** The name clients and the journal use. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<Strategy> parse(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    public static String supported() {
        return Arrays.stream(values()).map(Strategy::wireName).collect(Collectors.joining(", "));
    }

    @JsonCreator
    static Strategy fromWire(String name) {
        return parse(name).orElseThrow(() -> new IllegalArgumentException("unknown strategy '" + name + "'"));
    }
}
