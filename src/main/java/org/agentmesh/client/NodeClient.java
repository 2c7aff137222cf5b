package org.agentmesh.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small client of a node's HTTP API, shared by the CLI's client commands and the MCP server. */
public final class NodeClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A node's answer: the HTTP status and the JSON body (a problem body on errors). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The problem's detail (and field) as one line. */
        public String problem() {
            String detail = body.path("detail").asText(body.toString());
            String field = body.path("field").asText("");
            return status + " " + detail + (field.isEmpty() ? "" : " (field: " + field + ")");
        }
    }

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param token bearer token, or empty/null for none */
    public NodeClient(String base, String token) {
        this.base = base.replaceAll("/+$", "");
        this.token = token == null ? "" : token;
        try {
            URI.create(this.base + "/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + base);
        }
    }

    public String base() {
        return base;
    }

    /** Percent-encodes user input for one path segment, so an id can never change the path it goes to. */
    public static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Calls the node; {@code body} is encoded as JSON (null: no body). Fails with IOException if the node is unreachable. */
    public Answer call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .header("Content-Type", "application/json");
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("cannot reach " + base + " (is a node running there?)");
        }
        String text = r.body();
        JsonNode json;
        try {
            json = text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
        } catch (IOException e) {
            json = JSON.getNodeFactory().textNode(text); // e.g. the summary report or Prometheus text
        }
        return new Answer(r.statusCode(), json);
    }
}
