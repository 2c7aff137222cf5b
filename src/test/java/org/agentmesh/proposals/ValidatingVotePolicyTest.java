package org.agentmesh.proposals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidatingVotePolicyTest {

    final ObjectMapper json = new ObjectMapper();
    final LiveAgents live = new LiveAgents(Map.of(
            "agent-x", Set.of("code-review", "java", "testing"),
            "agent-y", Set.of("python")));
    final ValidatingVotePolicy policy = new ValidatingVotePolicy();

    Choice decide(String proposalJson) throws Exception {
        Proposal p = new Proposal("p", "agent-y", json.readTree(proposalJson), 0.67, 0, 10, List.of("agent-x", "agent-y"),
                Map.of(), Decision.OPEN, 0, "");
        return policy.decide("agent-y", p, live);
    }

    @Test
    void approvesAnAssignmentToALiveAgentWithTheCapability() throws Exception {
        assertEquals(Choice.APPROVE, decide("{\"task_assignment\":\"code-review\",\"assigned_to\":\"agent-x\"}"));
        assertEquals(Choice.APPROVE, decide("{\"task_assignment\":\"t1\",\"assigned_to\":\"agent-x\","
                + "\"required_capabilities\":[\"java\",\"testing\",\"code-review\"]}"));
    }

    @Test
    void rejectsAssignmentsToDeadOrUnfitAgents() throws Exception {
        assertEquals(Choice.REJECT, decide("{\"task_assignment\":\"code-review\",\"assigned_to\":\"agent-gone\"}"));
        assertEquals(Choice.REJECT, decide("{\"task_assignment\":\"code-review\",\"assigned_to\":\"agent-y\"}"));
        // 2 of 3 = 0.67 < 0.7
        assertEquals(Choice.REJECT, decide("{\"task_assignment\":\"t1\",\"assigned_to\":\"agent-x\","
                + "\"required_capabilities\":[\"java\",\"testing\",\"rust\"]}"));
        assertEquals(Choice.REJECT, decide("{\"task_assignment\":\"t1\"}"));
        assertEquals(Choice.REJECT, decide("{\"task_assignment\":42,\"assigned_to\":\"agent-x\"}"));
    }

    @Test
    void otherProposalsMustBeNonEmptyObjects() throws Exception {
        assertEquals(Choice.APPROVE, decide("{\"scale_to\":7}"));
        assertEquals(Choice.REJECT, decide("{}"));
        assertEquals(Choice.REJECT, decide("[1,2]"));
    }

    @Test
    void thePolicyIsPluggable() throws Exception {
        VotePolicy contrarian = (agent, proposal, agents) -> Choice.REJECT;
        Proposal p = new Proposal("p", "a", json.readTree("{\"x\":1}"), 0.5, 0, 10, List.of("a"), Map.of(),
                Decision.OPEN, 0, "");
        assertEquals(Choice.REJECT, contrarian.decide("a", p, live));
    }
}
