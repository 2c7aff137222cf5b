package org.agentmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-mesh consensus propose|vote|status}: byzantine-tolerant decisions among the swarm's agents. */
@Command(name = "consensus", mixinStandardHelpOptions = true, description = "Proposals voted on by agents, decided by pBFT.",
        subcommands = {ConsensusCommand.Propose.class, ConsensusCommand.Vote.class, ConsensusCommand.Status.class})
final class ConsensusCommand {

    @Command(name = "propose", mixinStandardHelpOptions = true, description = "Propose a decision (any JSON).")
    static final class Propose extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Proposal as JSON, e.g. '{\"task_assignment\":\"auth-service\",\"assigned_to\":\"agent-3\"}'")
        String proposal;
        @Option(names = "--threshold", description = "Share of live agents that must approve. Default: the node's (0.67)") Double threshold;
        @Option(names = "--deadline", description = "Time to decide, in seconds") Long deadline;

        @Override
        public Integer call() throws Exception {
            JsonNode p;
            try {
                p = MeshClient.JSON.readTree(proposal);
            } catch (Exception e) {
                throw badUsage("the proposal is not JSON: " + e.getMessage().split("\n")[0]);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("proposal", p);
            SwarmCommand.put(body, "threshold", threshold);
            SwarmCommand.put(body, "deadlineSeconds", deadline);
            return send("POST", swarmPath(swarm) + "/proposals", body);
        }
    }

    @Command(name = "vote", mixinStandardHelpOptions = true, description = "Vote on an agent's behalf: approve or reject.")
    static final class Vote extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Proposal id") String proposal;
        @Parameters(index = "2", description = "approve | reject") String choice;
        @Option(names = "--agent", required = true, description = "The voting agent") String agent;

        @Override
        public Integer call() throws Exception {
            if (!choice.equals("approve") && !choice.equals("reject")) {
                throw badUsage("the vote must be approve or reject");
            }
            return send("POST", swarmPath(swarm) + "/proposals/"
                    + NodeClient.segment(proposal) + "/votes", Map.of("agentId", agent, "choice", choice));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Tally and decision of a proposal.")
    static final class Status extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Proposal id") String proposal;

        @Override
        public Integer call() throws Exception {
            return send("GET", swarmPath(swarm) + "/proposals/"
                    + NodeClient.segment(proposal), null);
        }
    }
}
