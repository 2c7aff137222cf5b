package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.agentmesh.serialization.CborSerializable;
import org.agentmesh.swarm.Strategy;
import org.junit.jupiter.api.Test;

/** Every wire type of the package round-trips through a Jackson CBOR mapper; every sealed subtype must have a sample. */
class StrategySerializationTest {

    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    private static final TaskRequirements TASK = new TaskRequirements("task-1", List.of("gpu", "compute"), 3, 250);
    private static final QueuedTask QUEUED = new QueuedTask(TASK, 2);

    /** Samples of every concrete type, keyed by class. */
    private static final Map<Class<?>, Object> SAMPLES = Map.ofEntries(
            Map.entry(TaskRequirements.class, TASK),
            Map.entry(AgentLoad.class, new AgentLoad("agent-1", List.of("compute"), 4, 2, 7, 0.9, 0.5, false)),
            Map.entry(Bid.class, new Bid("task-1", "agent-1", 0.75, 0.5, 0.9, 0.25, 1.75)),
            Map.entry(QueuedTask.class, QUEUED),
            Map.entry(Migrate.class, new Migrate("task-1", "agent-1", "agent-2")),
            Map.entry(Assignment.Assigned.class, new Assignment.Assigned("task-1", "agent-2", Strategy.AUCTION, 0.82)),
            Map.entry(Assignment.Rejected.class, new Assignment.Rejected("task-1", Strategy.DHT,
                    new RejectionReason.NoCapableAgent(List.of("compute", "gpu"), 0.5, 0.7))),
            Map.entry(RejectionReason.NoCapableAgent.class, new RejectionReason.NoCapableAgent(List.of("x"), 0.0, 0.7)),
            Map.entry(RejectionReason.NoFreeCapacity.class, new RejectionReason.NoFreeCapacity(List.of("x"), 3)),
            Map.entry(StealMessage.StealRequest.class, new StealMessage.StealRequest("agent-3", 17, List.of("compute"))),
            Map.entry(StealMessage.StealGranted.class, new StealMessage.StealGranted("agent-1", 17, QUEUED)),
            Map.entry(StealMessage.StealDenied.class, new StealMessage.StealDenied("agent-1", 18, 4, "no queued task matches")),
            Map.entry(StealMessage.Handoff.class, new StealMessage.Handoff("agent-1", QUEUED)));

    private static final List<Class<?>> SEALED = List.of(Assignment.class, RejectionReason.class, StealMessage.class);

    @Test
    void everySealedSubtypeAndRecordRoundTripsThroughCbor() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Class<?> sealed : SEALED) {
            assertTrue(sealed.isSealed() && CborSerializable.class.isAssignableFrom(sealed), sealed.getName());
            for (Class<?> sub : sealed.getPermittedSubclasses()) {
                Object sample = SAMPLES.get(sub);
                if (sample == null) {
                    failures.add("no sample for " + sub.getName() + ": add one");
                    continue;
                }
                Object back = CBOR.readValue(CBOR.writeValueAsBytes(sample), sealed); // through the interface type
                if (!sample.equals(back)) {
                    failures.add(sub.getSimpleName() + ": " + sample + " came back as " + back);
                }
                checked++;
            }
        }
        for (var e : SAMPLES.entrySet()) {
            assertTrue(e.getValue() instanceof CborSerializable, e.getKey() + " must be CborSerializable");
            Object back = CBOR.readValue(CBOR.writeValueAsBytes(e.getValue()), e.getKey());
            if (!e.getValue().equals(back)) {
                failures.add(e.getKey().getSimpleName() + ": " + e.getValue() + " came back as " + back);
            }
            checked++;
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(SAMPLES.size() + 8, checked);
    }
}
