package org.agentmesh.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.agentmesh.swarm.InvalidInput;

/**
 * The built-in executors: {@code sleep} (simulated work), {@code shell} (a command with a timeout), {@code http}
 * (POST the payload to a URL) and {@code external} (an outside agent claims the task over HTTP; nothing runs here).
 */
public final class TaskExecutors {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;

    private TaskExecutors() {}

    /** The built-ins by kind. */
    public static Map<String, TaskExecutor> builtIns() {
        return Map.of("sleep", new Sleep(), "shell", new Shell(), "http", new Http(), "external", new External());
    }

    static void validatePayload(String executor, JsonNode payload, String field) {
        if (!payload.isObject()) {
            throw new InvalidInput(field, "payload must be a JSON object");
        }
        TaskExecutor e = builtIns().get(executor);
        if (e != null) {
            e.validate(payload, field);
        }
    }

    /** Waits {@code payload.millis} (default: the task's estimated cost) without holding a thread. */
    public static final class Sleep implements TaskExecutor {
        @Override
        public String kind() {
            return "sleep";
        }

        @Override
        public void validate(JsonNode payload, String field) {
            JsonNode millis = payload.get("millis");
            if (millis != null && (!millis.canConvertToLong() || !millis.isIntegralNumber() || millis.asLong() < 0 || millis.asLong() > 3_600_000)) {
                throw new InvalidInput(field + ".millis", "millis must be an integer between 0 and 3600000");
            }
        }

        @Override
        public CompletionStage<TaskResult> execute(TaskSpec task, Context context) {
            long millis = task.payload().has("millis") ? task.payload().get("millis").asLong() : task.estimatedCostMillis();
            ObjectNode out = JSON.objectNode().put("sleptMillis", millis).put("agent", context.agentId());
            if (millis == 0) {
                return CompletableFuture.completedFuture(TaskResult.ok(out));
            }
            return CompletableFuture.supplyAsync(() -> TaskResult.ok(out),
                    CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Runs {@code payload.command} (a string for {@code sh -c}, or an argv array) on the blocking pool; a non-zero exit
     * code is a failure; the attempt's timeout kills the process. Output (stdout and stderr) is kept up to 64 KiB.
     */
    public static final class Shell implements TaskExecutor {
        @Override
        public String kind() {
            return "shell";
        }

        @Override
        public void validate(JsonNode payload, String field) {
            JsonNode cmd = payload.get("command");
            boolean ok = cmd != null && ((cmd.isTextual() && !cmd.asText().isBlank())
                    || (cmd.isArray() && cmd.size() > 0 && allText(cmd)));
            if (!ok) {
                throw new InvalidInput(field + ".command", "command must be a non-empty string or an array of strings");
            }
        }

        private static boolean allText(JsonNode array) {
            for (JsonNode n : array) {
                if (!n.isTextual()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public CompletionStage<TaskResult> execute(TaskSpec task, Context context) {
            return CompletableFuture.supplyAsync(() -> run(task), context.blocking());
        }

        private static TaskResult run(TaskSpec task) {
            JsonNode cmd = task.payload().get("command");
            List<String> argv = new ArrayList<>();
            if (cmd.isTextual()) {
                argv.addAll(List.of("sh", "-c", cmd.asText()));
            } else {
                cmd.forEach(n -> argv.add(n.asText()));
            }
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
                CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readLimited(p.getInputStream()));
                boolean finished = p.waitFor(task.timeoutMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    p.destroyForcibly();
                    return TaskResult.failed("timed out after " + task.timeoutMillis() + " ms",
                            JSON.objectNode().put("output", output.getNow("")));
                }
                ObjectNode out = JSON.objectNode().put("exitCode", p.exitValue()).put("output", output.get(5, TimeUnit.SECONDS));
                return p.exitValue() == 0 ? TaskResult.ok(out) : TaskResult.failed("exit code " + p.exitValue(), out);
            } catch (IOException e) {
                return TaskResult.failed("cannot start: " + e.getMessage(), JSON.objectNode());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return TaskResult.failed("interrupted", JSON.objectNode());
            } catch (Exception e) {
                return TaskResult.failed(e.toString(), JSON.objectNode());
            }
        }

        private static String readLimited(InputStream in) {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    if (buf.size() < MAX_OUTPUT_BYTES) {
                        buf.write(chunk, 0, Math.min(n, MAX_OUTPUT_BYTES - buf.size()));
                    }
                }
                return buf.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
    }

    /** POSTs {@code payload.body} (JSON) to {@code payload.url}; a 2xx answer is success. */
    public static final class Http implements TaskExecutor {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        @Override
        public String kind() {
            return "http";
        }

        @Override
        public void validate(JsonNode payload, String field) {
            JsonNode url = payload.get("url");
            URI uri;
            try {
                uri = url != null && url.isTextual() ? URI.create(url.asText()) : null;
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new InvalidInput(field + ".url", "url must be an absolute http or https URL");
            }
        }

        @Override
        public CompletionStage<TaskResult> execute(TaskSpec task, Context context) {
            JsonNode body = task.payload().has("body") ? task.payload().get("body") : JSON.objectNode();
            HttpRequest request = HttpRequest.newBuilder(URI.create(task.payload().get("url").asText()))
                    .timeout(Duration.ofMillis(task.timeoutMillis()))
                    .header("Content-Type", "application/json")
                    .header("X-Agent-Mesh-Task", task.id())
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
                if (e != null) {
                    return TaskResult.failed("request failed: " + e.getMessage(), JSON.objectNode());
                }
                String text = r.body().length() > MAX_OUTPUT_BYTES ? r.body().substring(0, MAX_OUTPUT_BYTES) : r.body();
                ObjectNode out = JSON.objectNode().put("status", r.statusCode()).put("body", text);
                return r.statusCode() / 100 == 2 ? TaskResult.ok(out) : TaskResult.failed("HTTP " + r.statusCode(), out);
            });
        }
    }

    /** Nothing runs in the mesh: an outside agent claims the task, heartbeats and completes it over HTTP. */
    public static final class External implements TaskExecutor {
        @Override
        public String kind() {
            return "external";
        }

        @Override
        public void validate(JsonNode payload, String field) {}

        @Override
        public CompletionStage<TaskResult> execute(TaskSpec task, Context context) {
            return CompletableFuture.failedFuture(new IllegalStateException("external tasks are claimed, not executed"));
        }
    }
}
