package org.agentmesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import org.agentmesh.client.NodeClient;
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

    NodeClient.Answer call(String method, String path, Object body) throws IOException, InterruptedException {
        return new NodeClient(node, token).call(method, path, body);
    }

    /** Prints a successful answer as JSON on out; a refusal's detail as one line on err. Returns the exit code. */
    static int report(NodeClient.Answer a, PrintWriter out, PrintWriter err) throws IOException {
        if (a.ok()) {
            if (!a.body().isNull()) {
                out.println(a.body().isTextual() ? a.body().asText() : JSON.writeValueAsString(a.body()));
            }
            return 0;
        }
        err.println("agent-mesh: " + a.problem());
        return 1;
    }
}
