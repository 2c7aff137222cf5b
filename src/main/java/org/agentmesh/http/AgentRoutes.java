package org.agentmesh.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.SwarmSpecs;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Messages between agents and clients, an agent's inbox, and the recovery of an agent's tasks. */
final class AgentRoutes extends AllDirectives {

    /** {@code to}: an agent id or "all"; {@code message}: any JSON. */
    record Send(String from, String to, JsonNode message) {}

    record Recover(String reason) {}

    record Capabilities(java.util.List<String> capabilities) {}

    private final HttpApi api;
    private final AgentMesh mesh;

    AgentRoutes(HttpApi api, AgentMesh mesh) {
        this.api = api;
        this.mesh = mesh;
    }

    /**
     * Under {@code /api/v1/swarms/{id}}: {@code messages}, {@code agents/{aid}/messages}, {@code agents/{aid}/capabilities}
     * (PUT: replace them; gossip spreads the change), {@code agents/{aid}/recover}.
     */
    Route routes(String swarmId) {
        return concat(
                path("messages", () -> post(() -> api.body(body -> {
                    Send s = api.parse(body, Send.class);
                    if (s.from() == null) {
                        throw new InvalidInput("from", "from is required (an agent id or a client name)");
                    }
                    if (s.to() == null) {
                        throw new InvalidInput("to", "to is required (an agent id or \"all\")");
                    }
                    if (!s.to().equals("all")) {
                        SwarmSpecs.checkId("to", s.to());
                    }
                    if (s.message() == null) {
                        throw new InvalidInput("message", "message is required (any JSON)");
                    }
                    return api.async(() -> mesh.sendMessage(swarmId, s.from(), s.to(), s.message().toString()),
                            delivered -> HttpApi.json(StatusCodes.OK, Map.of("delivered", delivered)));
                }))),
                path(segment("agents").slash(segment()).slash("messages"), agentId -> get(() ->
                        api.async(() -> mesh.inbox(swarmId, agentId), inbox -> HttpApi.json(StatusCodes.OK, inbox)))),
                path(segment("agents").slash(segment()).slash("capabilities"), agentId -> put(() -> api.body(body -> {
                    Capabilities c = api.parse(body, Capabilities.class);
                    if (c.capabilities() == null) {
                        throw new InvalidInput("capabilities", "capabilities is required (a list of capability names)");
                    }
                    return api.async(() -> mesh.setCapabilities(swarmId, agentId, c.capabilities()),
                            info -> HttpApi.json(StatusCodes.OK, info));
                }))),
                path(segment("agents").slash(segment()).slash("recover"), agentId -> post(() -> api.body(body -> {
                    Recover r = body.isBlank() ? new Recover(null) : api.parse(body, Recover.class);
                    String reason = r.reason() == null ? "recovery requested for " + agentId : r.reason();
                    return api.async(() -> mesh.recoverAgent(swarmId, agentId, reason),
                            tasks -> HttpApi.json(StatusCodes.OK, Map.of("agent", agentId, "reassigned", tasks)));
                }))));
    }
}
