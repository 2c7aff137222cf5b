package org.agentmesh.proposals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import org.agentmesh.pbft.EncodedPublicKey;
import org.agentmesh.serialization.CborSerializable;

/**
 * A command to the proposal ledger, ordered by pBFT and applied by {@link ProposalLedger}. Every command carries
 * {@code nowMillis}, the time the proposer (or pBFT primary) assigned: the ledger never reads a clock.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ProposalCommand.RegisterAgent.class, name = "register-agent"),
    @JsonSubTypes.Type(value = ProposalCommand.Propose.class, name = "propose"),
    @JsonSubTypes.Type(value = ProposalCommand.Vote.class, name = "vote"),
    @JsonSubTypes.Type(value = ProposalCommand.AgentDeparted.class, name = "agent-departed"),
    @JsonSubTypes.Type(value = ProposalCommand.AgentRejoined.class, name = "agent-rejoined"),
    @JsonSubTypes.Type(value = ProposalCommand.Tick.class, name = "tick")
})
public sealed interface ProposalCommand extends CborSerializable
        permits ProposalCommand.RegisterAgent, ProposalCommand.Propose, ProposalCommand.Vote,
                ProposalCommand.AgentDeparted, ProposalCommand.AgentRejoined, ProposalCommand.Tick {

    double DEFAULT_THRESHOLD = 0.67;

    long nowMillis();

    /** Makes an agent a registered voter with its Ed25519 public key. */
    record RegisterAgent(String agentId, EncodedPublicKey publicKey, long nowMillis) implements ProposalCommand {
        public RegisterAgent {
            Objects.requireNonNull(agentId, "agentId");
            Objects.requireNonNull(publicKey, "publicKey");
        }
    }

    /**
     * Opens a proposal: approved once approvals reach {@code threshold} of the eligible voters (the swarm's live agents
     * when it was proposed), rejected once that can no longer happen or at {@code deadlineMillis}.
     */
    record Propose(String proposalId, String proposer, JsonNode proposal, double threshold, long deadlineMillis,
            List<String> eligibleVoters, long nowMillis) implements ProposalCommand {
        public Propose {
            Objects.requireNonNull(proposalId, "proposalId");
            Objects.requireNonNull(proposer, "proposer");
            Objects.requireNonNull(proposal, "proposal");
            eligibleVoters = List.copyOf(eligibleVoters);
        }

        /** With the default threshold (0.67). */
        public static Propose of(String proposalId, String proposer, JsonNode proposal, long deadlineMillis,
                List<String> eligibleVoters, long nowMillis) {
            return new Propose(proposalId, proposer, proposal, DEFAULT_THRESHOLD, deadlineMillis, eligibleVoters, nowMillis);
        }
    }

    /** One agent's vote, signed by that agent over the {@link Ballot} (proposalId, agentId, choice). */
    record Vote(String proposalId, String agentId, Choice choice, String signature, long nowMillis)
            implements ProposalCommand {
        public Vote {
            Objects.requireNonNull(proposalId, "proposalId");
            Objects.requireNonNull(agentId, "agentId");
            Objects.requireNonNull(choice, "choice");
            Objects.requireNonNull(signature, "signature");
        }

        public Ballot ballot() {
            return new Ballot(proposalId, agentId, choice);
        }
    }

    /**
     * The agent left the swarm or was confirmed failed: its votes on open proposals no longer count, it is no longer
     * eligible, and open proposals are recounted against the smaller live set. Idempotent.
     */
    record AgentDeparted(String agentId, long nowMillis) implements ProposalCommand {
        public AgentDeparted {
            Objects.requireNonNull(agentId, "agentId");
        }
    }

    /** A departed agent is back (it restarted and rejoined): it is eligible for proposals opened from now on. */
    record AgentRejoined(String agentId, long nowMillis) implements ProposalCommand {
        public AgentRejoined {
            Objects.requireNonNull(agentId, "agentId");
        }
    }

    /** Time passed: closes the open proposals whose deadline is at or before {@code nowMillis}. */
    record Tick(long nowMillis) implements ProposalCommand {}
}
