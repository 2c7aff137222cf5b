package org.agentmesh.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.agentmesh.proposals.Choice;
import org.agentmesh.proposals.CommandRefused;
import org.agentmesh.proposals.ConsensusMetrics;
import org.agentmesh.proposals.ConsensusUnavailable;
import org.agentmesh.proposals.ProposalNotFound;
import org.agentmesh.proposals.ProposalStatus;
import org.agentmesh.proposals.SwarmProposals;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.SwarmSpecs;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/swarms/{id}/proposals...} (propose, vote on an agent's behalf, read) and {@code .../consensus}
 * (the committee's metrics). Votes and proposals are ordered by pBFT; a read is what f+1 replicas agree on. In
 * read-only mode (a minority side) propose and vote get 503 with the reason, reads carry X-Agent-Mesh-Stale.
 */
final class ProposalRoutes extends AllDirectives {

    /** A proposal as the API shows it. */
    record StatusView(String proposalId, String status, Map<String, Object> tally, double threshold, long deadline,
            long decidedAt, String reason) {

        static StatusView of(ProposalStatus s) {
            return new StatusView(s.proposalId(), s.decision().name().toLowerCase(Locale.ROOT), Map.of(
                    "approve", s.tally().approve(), "reject", s.tally().reject(), "eligible", s.tally().eligible(),
                    "participation", s.tally().participation()), s.threshold(), s.deadlineMillis(), s.decidedAtMillis(), s.reason());
        }
    }

    private final HttpApi api;
    private final AgentMesh mesh;

    ProposalRoutes(HttpApi api, AgentMesh mesh) {
        this.api = api;
        this.mesh = mesh;
    }

    Route proposalRoutes(String swarmId) {
        return concat(
                pathEnd(() -> concat(
                        post(() -> api.body(body -> propose(swarmId, body))),
                        get(() -> parameterOptional("limit", limit -> HttpApi.staleMarked(mesh.readsMayBeStale(swarmId),
                                () -> async(() -> mesh.recentProposals(swarmId, recentLimit(limit)), list -> HttpApi.json(
                                        StatusCodes.OK, Map.of("proposals", list.stream().map(StatusView::of).toList())))))))),
                path(segment(), pid -> get(() -> HttpApi.staleMarked(mesh.readsMayBeStale(swarmId), () -> async(
                        () -> mesh.proposal(swarmId, checkedId(pid)), s -> HttpApi.json(StatusCodes.OK, StatusView.of(s)))))),
                path(segment().slash("votes"), pid -> post(() -> api.body(body -> vote(swarmId, checkedId(pid), body)))));
    }

    Route consensus(String swarmId) {
        return get(() -> HttpApi.staleMarked(mesh.readsMayBeStale(swarmId),
                () -> async(() -> mesh.consensus(swarmId), (ConsensusMetrics m) -> HttpApi.json(StatusCodes.OK, m))));
    }

    /** {@code ?limit=} of the recent-proposals list: 1..100, default 10. */
    private static int recentLimit(Optional<String> limit) {
        if (limit.isEmpty()) {
            return 10;
        }
        try {
            int n = Integer.parseInt(limit.get());
            if (n >= 1 && n <= 100) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the refusal
        }
        throw new InvalidInput("limit", "limit must be an integer from 1 to 100, was '" + limit.get() + "'");
    }

    private static String checkedId(String proposalId) {
        return SwarmSpecs.checkId("proposalId", proposalId);
    }

    private Route propose(String swarmId, String body) {
        JsonNode tree = api.parse(body, JsonNode.class);
        if (!tree.isObject()) {
            throw new InvalidInput("body", "the body must be a JSON object with a \"proposal\" object");
        }
        JsonNode proposal = tree.get("proposal");
        if (proposal == null || !proposal.isObject() || proposal.isEmpty()) {
            throw new InvalidInput("proposal", "proposal must be a non-empty JSON object");
        }
        Optional<String> id = text(tree, "id").map(checkedId -> SwarmSpecs.checkId("id", checkedId));
        Optional<String> proposer = text(tree, "proposer");
        Optional<Double> threshold = Optional.empty();
        if (tree.has("threshold")) {
            JsonNode t = tree.get("threshold");
            if (!t.isNumber() || !(t.asDouble() > 0 && t.asDouble() <= 1)) {
                throw new InvalidInput("threshold", "threshold must be a number in (0, 1]");
            }
            threshold = Optional.of(t.asDouble());
        }
        Optional<Duration> deadline = Optional.empty();
        if (tree.has("deadlineSeconds")) {
            JsonNode d = tree.get("deadlineSeconds");
            if (!d.isNumber() || d.asDouble() <= 0 || d.asDouble() > 30 * 24 * 3600) {
                throw new InvalidInput("deadlineSeconds", "deadlineSeconds must be a number of seconds, > 0 and at most 30 days");
            }
            deadline = Optional.of(Duration.ofMillis((long) (d.asDouble() * 1000)));
        }
        var request = new SwarmProposals.ProposeRequest(id, proposer, proposal, threshold, deadline);
        return async(() -> mesh.propose(swarmId, request), s -> respondWithHeader(
                Location.create("/api/v1/swarms/" + swarmId + "/proposals/" + s.proposalId()),
                () -> HttpApi.json(StatusCodes.CREATED, StatusView.of(s))));
    }

    private Route vote(String swarmId, String proposalId, String body) {
        JsonNode tree = api.parse(body, JsonNode.class);
        if (!tree.isObject()) {
            throw new InvalidInput("body", "the body must be a JSON object {\"agentId\": ..., \"choice\": \"approve\"|\"reject\"}");
        }
        String agentId = text(tree, "agentId").orElseThrow(() -> new InvalidInput("agentId", "agentId is required"));
        SwarmSpecs.checkId("agentId", agentId);
        String choiceText = text(tree, "choice").orElseThrow(() -> new InvalidInput("choice", "choice is required: approve or reject"));
        Choice choice = switch (choiceText.toLowerCase(Locale.ROOT)) {
            case "approve" -> Choice.APPROVE;
            case "reject" -> Choice.REJECT;
            default -> throw new InvalidInput("choice", "choice must be approve or reject");
        };
        Optional<String> signature = text(tree, "signature");
        return async(() -> mesh.vote(swarmId, proposalId, agentId, choice, signature),
                s -> HttpApi.json(StatusCodes.OK, StatusView.of(s)));
    }

    /** A present field must be a non-blank string. */
    private static Optional<String> text(JsonNode tree, String field) {
        JsonNode v = tree.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new InvalidInput(field, field + " must be a non-blank string");
        }
        return Optional.of(v.asText());
    }

    /** Like {@link HttpApi#async}, with the proposal errors mapped first. */
    private <T> Route async(java.util.function.Supplier<CompletionStage<T>> call, Function<T, Route> onSuccess) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            return problemFor(e);
        }
        return onComplete(stage, r -> r.isSuccess() ? onSuccess.apply(r.get()) : problemFor(r.failed().get()));
    }

    private Route problemFor(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof ProposalNotFound) {
            return api.problem(StatusCodes.NOT_FOUND, e.getMessage(), "proposalId");
        }
        if (e instanceof CommandRefused refused) {
            return api.problem(switch (refused.kind()) {
                case CONFLICT -> StatusCodes.CONFLICT;
                case FORBIDDEN -> StatusCodes.FORBIDDEN;
                case INVALID -> StatusCodes.BAD_REQUEST;
            }, e.getMessage(), refused.field());
        }
        if (e instanceof ConsensusUnavailable) {
            return api.problem(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage(), null);
        }
        return api.problemFor(e);
    }
}
