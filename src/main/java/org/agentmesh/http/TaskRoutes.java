package org.agentmesh.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.SwarmSpecs;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.task.TaskResult;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/swarms/{id}/tasks...} and {@code .../agents/{aid}/claim}: submit (one or a batch), read, list, cancel,
 * and the calls an external agent makes to claim, heartbeat, complete or fail the attempt it holds.
 */
final class TaskRoutes extends AllDirectives {

    /** A task as the API shows it. */
    record TaskView(String id, String state, String agent, int attempt, int failures, int executions, double progress,
            boolean success, JsonNode output, String error, long submittedAt, long finishedAt, List<String> requiredCapabilities,
            int priority, String executor, JsonNode payload) {

        static TaskView of(TaskEntity.State s) {
            boolean done = s.phase() == TaskEntity.Phase.COMPLETED || s.phase() == TaskEntity.Phase.FAILED;
            return new TaskView(s.spec().id(), s.phase().name().toLowerCase(), s.agentId(), s.attempt(), s.failures(),
                    s.executions(), s.progress(), s.phase() == TaskEntity.Phase.COMPLETED,
                    done ? s.result().output() : NullNode.getInstance(), done ? s.result().error() : "",
                    s.submittedAtMillis(), s.finishedAtMillis(), s.spec().requiredCapabilities(), s.spec().priority(),
                    s.spec().executor(), s.spec().payload());
        }
    }

    /** A batch submission: {@code {"tasks": [...]}}. */
    record Batch(List<TaskRequest> tasks) {}

    /** What an external agent sends about its attempt. */
    record Report(String agentId, Integer attempt, JsonNode output, String error, Double progress, String note) {}

    private final HttpApi api;
    private final AgentMesh mesh;

    TaskRoutes(HttpApi api, AgentMesh mesh) {
        this.api = api;
        this.mesh = mesh;
    }

    Route taskRoutes(String swarmId) {
        return get(() -> HttpApi.staleMarked(mesh.readsMayBeStale(swarmId), () -> allTaskRoutes(swarmId))).orElse(allTaskRoutes(swarmId));
    }

    private Route allTaskRoutes(String swarmId) {
        return concat(
                pathEnd(() -> concat(
                        post(() -> api.body(body -> submit(swarmId, body))),
                        get(() -> parameterOptional("state", state -> parameterOptional("limit", limit -> list(swarmId, state, limit)))))),
                path(segment(), taskId -> concat(
                        get(() -> api.async(() -> mesh.task(swarmId, SwarmSpecs.checkId("taskId", taskId)),
                                t -> HttpApi.json(StatusCodes.OK, TaskView.of(t)))),
                        delete(() -> api.async(() -> mesh.cancelTask(swarmId, SwarmSpecs.checkId("taskId", taskId)),
                                t -> HttpApi.json(StatusCodes.OK, TaskView.of(t)))))),
                path(segment().slash(segment()), (taskId, verb) -> post(() -> api.body(body -> report(swarmId, taskId, verb, body)))));
    }

    private Route submit(String swarmId, String body) {
        JsonNode tree = api.parse(body, JsonNode.class);
        if (tree.isObject() && tree.has("tasks")) {
            Batch batch = api.parse(body, Batch.class);
            if (batch.tasks() == null || batch.tasks().isEmpty() || batch.tasks().size() > 1000) {
                throw new InvalidInput("tasks", "tasks must hold 1 to 1000 tasks");
            }
            return api.async(() -> mesh.submitTasks(swarmId, batch.tasks()).thenCompose(TaskRoutes::settleAll),
                    results -> HttpApi.json(StatusCodes.OK, Map.of("results", results)));
        }
        TaskRequest request = api.parse(body, TaskRequest.class);
        return api.async(() -> mesh.submitTask(swarmId, request), t -> HttpApi.json(StatusCodes.CREATED, TaskView.of(t)));
    }

    /** Each task of a batch is accepted or refused on its own: one result per task, in order. */
    private static CompletionStage<List<Map<String, Object>>> settleAll(List<CompletionStage<TaskEntity.State>> all) {
        List<CompletableFuture<Map<String, Object>>> results = new ArrayList<>();
        for (CompletionStage<TaskEntity.State> one : all) {
            results.add(one.handle((t, e) -> {
                if (e == null) {
                    return Map.<String, Object>of("status", "accepted", "task", TaskView.of(t));
                }
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                String field = cause instanceof InvalidInput invalid ? invalid.field() : "";
                return Map.<String, Object>of("status", "refused", "error", String.valueOf(cause.getMessage()), "field", field);
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
    }

    private Route list(String swarmId, Optional<String> state, Optional<String> limit) {
        Optional<TaskEntity.Phase> phase = state.map(s -> Arrays.stream(TaskEntity.Phase.values())
                .filter(p -> p != TaskEntity.Phase.NEW && p.name().equalsIgnoreCase(s)).findFirst()
                .orElseThrow(() -> new InvalidInput("state", "state must be one of pending, assigned, running, completed, failed, cancelled")));
        int max;
        try {
            max = limit.map(Integer::parseInt).orElse(1000);
        } catch (NumberFormatException e) {
            throw new InvalidInput("limit", "limit must be an integer");
        }
        if (max < 1 || max > 100_000) {
            throw new InvalidInput("limit", "limit must be between 1 and 100000");
        }
        return api.async(() -> mesh.tasks(swarmId, phase, max),
                tasks -> HttpApi.json(StatusCodes.OK, Map.of("tasks", tasks.stream().map(TaskView::of).toList())));
    }

    Route claim(String swarmId, String agentId) {
        return api.async(() -> mesh.claimTask(swarmId, agentId), claimed -> claimed
                .map(c -> HttpApi.json(StatusCodes.OK, Map.of("taskId", c.taskId(), "attempt", c.attempt(), "task", c.spec())))
                .orElseGet(() -> complete(StatusCodes.NO_CONTENT)));
    }

    private Route report(String swarmId, String taskId, String verb, String body) {
        SwarmSpecs.checkId("taskId", taskId);
        if (!List.of("complete", "fail", "heartbeat").contains(verb)) {
            return api.problem(StatusCodes.NOT_FOUND, "no such action '" + verb + "'; use complete, fail or heartbeat", null);
        }
        Report r = api.parse(body, Report.class);
        if (r.agentId() == null) {
            throw new InvalidInput("agentId", "agentId is required");
        }
        if (r.attempt() == null || r.attempt() < 1) {
            throw new InvalidInput("attempt", "attempt is required (the number the claim returned)");
        }
        if (r.progress() != null && (r.progress() < 0 || r.progress() > 1)) {
            throw new InvalidInput("progress", "progress must be between 0 and 1");
        }
        Optional<TaskResult> result = switch (verb) {
            case "complete" -> Optional.of(TaskResult.ok(r.output() == null ? NullNode.getInstance() : r.output()));
            case "fail" -> Optional.of(TaskResult.failed(r.error() == null ? "failed" : r.error(),
                    r.output() == null ? NullNode.getInstance() : r.output()));
            default -> Optional.empty();
        };
        double progress = r.progress() == null ? -1 : r.progress();
        return api.async(() -> mesh.reportTask(swarmId, taskId, r.agentId(), r.attempt(), result, progress,
                r.note() == null ? "" : r.note()), ack -> ack.accepted()
                        ? HttpApi.json(StatusCodes.OK, Map.of("accepted", true, "detail", ack.reason()))
                        : api.problem(StatusCodes.CONFLICT, ack.reason(), "attempt"));
    }
}
