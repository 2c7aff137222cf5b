package org.agentmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options and calls shared by the client commands: which node to talk to, with which token; a call prints the JSON
 * answer and maps the outcome to the exit code (0 done, 1 refused or failed, with the problem's detail on stderr).
 */
final class MeshClient {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--node", defaultValue = "${env:AGENT_MESH_NODE:-http://127.0.0.1:8080}",
            description = "Base URL of a node's HTTP API. Default: $AGENT_MESH_NODE or http://127.0.0.1:8080")
    String node;

    @Option(names = "--token", defaultValue = "${env:AGENT_MESH_HTTP_TOKEN}", description = "Bearer token. Default: $AGENT_MESH_HTTP_TOKEN")
    String token;

    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    Answer call(String method, String path, Object body) throws IOException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(node.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--node is not a URL: " + node);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .header("Content-Type", "application/json");
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach " + node + " (is a node running? see --node)");
        }
        JsonNode json = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Answer(r.statusCode(), json);
    }

    /** Prints a successful answer as JSON on out; a refusal's detail as one line on err. Returns the exit code. */
    static int report(Answer a, PrintWriter out, PrintWriter err) throws IOException {
        if (a.ok()) {
            if (!a.body().isNull()) {
                out.println(JSON.writeValueAsString(a.body()));
            }
            return 0;
        }
        String detail = a.body().path("detail").asText(a.body().toString());
        String field = a.body().path("field").asText("");
        err.println("agent-mesh: " + a.status() + " " + detail + (field.isEmpty() ? "" : " (field: " + field + ")"));
        return 1;
    }
}
