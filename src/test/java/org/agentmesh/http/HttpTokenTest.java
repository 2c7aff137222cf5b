package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/** The optional bearer token guards /api/v1; without a token the API binds to loopback only. */
class HttpTokenTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void missingOrWrongTokenIs401AndTheRightTokenIs200() throws Exception {
        try (MeshTestCluster cluster = MeshTestCluster.start(1, Map.of("agent-mesh.http.token", "s3cret-token"))) {
            String api = cluster.node(0).httpBase() + "/api/v1/swarms";
            HttpResponse<String> missing = get(api, null);
            assertEquals(401, missing.statusCode());
            assertEquals("Bearer realm=\"agent-mesh\"", missing.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, Json.MAPPER.readTree(missing.body()).get("status").asInt());
            assertEquals(401, get(api, "Bearer wrong").statusCode());
            assertEquals(401, get(api, "Basic czNjcmV0LXRva2Vu").statusCode());
            assertEquals(401, get(api, "Bearer s3cret-token2").statusCode());
            assertEquals(401, get(api, "Bearer s3cret-toke").statusCode());
            assertEquals(200, get(api, "Bearer s3cret-token").statusCode());
            // health checks stay open for probes
            assertEquals(200, get(cluster.node(0).httpBase() + "/health/ready", null).statusCode());
        }
    }

    @Test
    void withoutATokenTheApiBindsToLoopbackOnly() {
        var open = ConfigFactory.parseMap(Map.of("agent-mesh.http.interface", "0.0.0.0", "agent-mesh.http.token", ""));
        assertEquals("127.0.0.1", org.agentmesh.node.MeshNodeAccess.httpInterface(open));
        var guarded = ConfigFactory.parseMap(Map.of("agent-mesh.http.interface", "0.0.0.0", "agent-mesh.http.token", "t"));
        assertEquals("0.0.0.0", org.agentmesh.node.MeshNodeAccess.httpInterface(guarded));
        var local = ConfigFactory.parseMap(Map.of("agent-mesh.http.interface", "127.0.0.2", "agent-mesh.http.token", ""));
        assertEquals("127.0.0.2", org.agentmesh.node.MeshNodeAccess.httpInterface(local));
    }
}
