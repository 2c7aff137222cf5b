package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.agentmesh.failure.FailureDetectorMessage.Ack;
import org.agentmesh.failure.FailureDetectorMessage.Gossip;
import org.agentmesh.failure.FailureDetectorMessage.Ping;
import org.agentmesh.failure.FailureDetectorMessage.PingReq;
import org.agentmesh.failure.FailureDetectorMessage.PingReqAnswer;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every wire record round-trips through Jackson CBOR, as the sealed interface the receiver reads it as. */
class WireFormatTest {

    private static final Logger log = LoggerFactory.getLogger(WireFormatTest.class);
    private final ObjectMapper cbor = new ObjectMapper(new CBORFactory());

    private static final List<MemberUpdate> UPDATES = List.of(
            new MemberUpdate("a01", MemberStatus.ALIVE, 3, "a01", 0),
            new MemberUpdate("a02", MemberStatus.SUSPECT, 1, "a05", 0),
            new MemberUpdate("a03", MemberStatus.FAILED, 0, "a04", 2, 98_765L));

    static Map<Class<?>, FailureDetectorMessage> samples() {
        Map<Class<?>, FailureDetectorMessage> s = new LinkedHashMap<>();
        s.put(Ping.class, new Ping(1, 2, UPDATES, Map.of("a01", 12_345L, "a02", 99L)));
        s.put(Ack.class, new Ack(1, 0, List.of(), Map.of()));
        s.put(PingReq.class, new PingReq(5, "a03", 1, 2, UPDATES));
        s.put(PingReqAnswer.class, new PingReqAnswer(5, "a03", false, 1, 2, UPDATES));
        s.put(Gossip.class, new Gossip(4, UPDATES));
        return s;
    }

    private FailureDetectorMessage roundTrip(FailureDetectorMessage m) throws Exception {
        byte[] bytes = cbor.writerFor(FailureDetectorMessage.class).writeValueAsBytes(m);
        return cbor.readValue(bytes, FailureDetectorMessage.class);
    }

    @Test
    void everySealedMessageTypeRoundTrips() throws Exception {
        Map<Class<?>, FailureDetectorMessage> samples = samples();
        Set<String> permitted = new TreeSet<>();
        Arrays.stream(FailureDetectorMessage.class.getPermittedSubclasses()).forEach(c -> permitted.add(c.getName()));
        Set<String> sampled = new TreeSet<>();
        samples.keySet().forEach(c -> sampled.add(c.getName()));
        assertEquals(permitted, sampled, "a sample for every permitted message type");
        for (FailureDetectorMessage m : samples.values()) {
            assertEquals(m, roundTrip(m));
        }
        for (MemberStatus st : MemberStatus.values()) {
            MemberUpdate u = new MemberUpdate("x", st, 7, "y", 1);
            assertEquals(u, cbor.readValue(cbor.writeValueAsBytes(u), MemberUpdate.class));
        }
    }

    /**
     * Steady-state traffic of a healthy swarm, measured with the real CBOR encoding. Each agent pings its 3-5 watched
     * neighbours and acks its 3-5 watchers every 3 s: at most 10 messages per 3 s. The heartbeat digest makes a ping
     * or ack O(N) bytes.
     */
    @ParameterizedTest(name = "N={0}")
    @ValueSource(ints = {8, 20, 50})
    void steadyStateTrafficPerAgentStaysWithinTheProbeBudget(int n) {
        FailureSim s = new FailureSim(1, n, new NetworkConditions(1, 20, 0.02, 0.0), FailureDetectorConfig.defaults(),
                PartitionDetectorConfig.defaults(), m -> {
                    try {
                        return cbor.writerFor(FailureDetectorMessage.class).writeValueAsBytes(m).length;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        s.sim.runFor(30_000);
        long sent0 = s.net.sent();
        long bytes0 = s.net.bytes();
        s.sim.runFor(120_000);
        double msgsPerAgentPerSecond = (s.net.sent() - sent0) / (double) n / 120.0;
        double bytesPerMessage = (s.net.bytes() - bytes0) / (double) (s.net.sent() - sent0);
        log.info("traffic N={}: {} messages/s per agent, {} bytes per message (CBOR), {} bytes/s per agent", n,
                String.format("%.2f", msgsPerAgentPerSecond), String.format("%.0f", bytesPerMessage),
                String.format("%.0f", msgsPerAgentPerSecond * bytesPerMessage));
        assertTrue(msgsPerAgentPerSecond <= 10 / 3.0 + 0.2, "messages per agent per second: " + msgsPerAgentPerSecond);
        assertTrue(msgsPerAgentPerSecond >= 6 / 3.0 * 0.9, "fewer messages than heartbeats: " + msgsPerAgentPerSecond);
    }

    @Test
    void messagesFromASimulatedRunRoundTrip() throws Exception {
        FailureSim s = new FailureSim(3, 8, NetworkConditions.reliable(), FailureDetectorConfig.defaults(),
                PartitionDetectorConfig.defaults());
        List<FailureDetectorMessage> seen = new ArrayList<>();
        s.sentWatchers.add(seen::add);
        s.sim.runFor(15_000);
        s.net.crash(s.agents.get(0));
        s.sim.runFor(40_000);
        Set<Class<?>> kinds = new TreeSet<>((x, y) -> x.getName().compareTo(y.getName()));
        for (FailureDetectorMessage m : seen) {
            kinds.add(m.getClass());
            assertEquals(m, roundTrip(m));
        }
        assertEquals(FailureDetectorMessage.class.getPermittedSubclasses().length, kinds.size(), "kinds seen: " + kinds);
        assertTrue(seen.size() > 100);
    }
}
