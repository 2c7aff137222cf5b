package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP API as the tests call it: a request with an optional JSON body, its answer with status, content type,
 * headers and parsed body, and the check every refusal must pass (a problem body with the status and the field).
 */
final class HttpTestClient {

    /** An answer; {@code body} is null when the response had none. */
    record Reply(int status, String contentType, JsonNode body, HttpHeaders headers) {
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    /** {@code base}: a node's HTTP base URL; paths given to {@link #send} are relative to it unless they are full URLs. */
    HttpTestClient(String base) {
        this.base = base;
    }

    Reply send(String method, String pathOrUrl, String body) throws Exception {
        String url = pathOrUrl.startsWith("http://") || pathOrUrl.startsWith("https://") ? pathOrUrl : base + pathOrUrl;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json, r.headers());
    }

    /** A refusal: {@code status}, an {@code application/problem+json} body with that status, a detail, and {@code field} (if given). */
    static void assertProblem(Reply r, int status, String field) {
        assertEquals(status, r.status(), () -> "body: " + r.body());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals(status, r.body().get("status").asInt());
        assertTrue(r.body().get("detail").asText().length() > 0);
        if (field != null) {
            assertEquals(field, r.body().path("field").asText(), () -> "body: " + r.body());
        }
    }
}
