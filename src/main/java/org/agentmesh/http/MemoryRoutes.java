package org.agentmesh.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.agentmesh.memory.InvalidFieldException;
import org.agentmesh.memory.Item;
import org.agentmesh.memory.MemoryLimits;
import org.agentmesh.memory.MeshMemory;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.swarm.SwarmSpecs;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The mesh memory and Raft routes under {@code /api/v1/swarms/{id}}: {@code memory/...} (store, retrieve, delete, cas,
 * list, search) and {@code raft} (the group's status). Part of {@link HttpApi}, in the same style: strict JSON bodies,
 * problem bodies naming the field, 503 when the swarm's Raft group has no majority within the request timeout, and 503
 * with the write guard's reason for a write while this node is read-only (its reads then carry X-Agent-Mesh-Stale).
 */
final class MemoryRoutes extends AllDirectives {

    /** {@code PUT .../memory/{namespace}/{key}}; {@code ttlSeconds} absent: no expiry. */
    record StoreBody(JsonNode value, Integer ttlSeconds) {}

    /** {@code POST .../memory/{namespace}/{key}/cas}; {@code expectedVersion} 0: only if absent. */
    record CasBody(Long expectedVersion, JsonNode value, Integer ttlSeconds) {}

    private static final int DEFAULT_LIMIT = 1000;

    private final HttpApi api;
    private final MeshMemory memory;
    private final ObjectMapper bodyMapper;
    private final long maxBodyBytes;

    MemoryRoutes(HttpApi api, MeshMemory memory, ObjectMapper bodyMapper, long maxBodyBytes) {
        this.api = api;
        this.memory = memory;
        this.bodyMapper = bodyMapper;
        this.maxBodyBytes = maxBodyBytes;
    }

    Route routes() {
        return pathPrefix(segment("swarms").slash(segment()), swarmId -> get(() -> HttpApi.staleMarked(
                memory.readsMayBeStale(checked(swarmId)), () -> swarmRoutes(swarmId))).orElse(swarmRoutes(swarmId)));
    }

    private Route swarmRoutes(String swarmId) {
        return concat(
                path("raft", () -> get(() -> api.async(() -> memory.raftStatus(checked(swarmId)),
                        s -> HttpApi.json(StatusCodes.OK, raftBody(s))))),
                pathPrefix("memory", () -> concat(
                        pathEnd(() -> get(() -> parameterOptional("search", search -> parameterOptional("namespace",
                                ns -> parameterOptional("limit", limit -> search(swarmId, search, ns, limit)))))),
                        path(segment(), ns -> get(() -> parameterOptional("prefix",
                                prefix -> parameterOptional("limit", limit -> list(swarmId, ns, prefix, limit))))),
                        path(segment().slash(segment()), (ns, key) -> concat(
                                put(() -> body(text -> store(swarmId, ns, key, text))),
                                get(() -> retrieve(swarmId, ns, key)),
                                delete(() -> delete(swarmId, ns, key)))),
                        path(segment().slash(segment()).slash("cas"), (ns, key) ->
                                post(() -> body(text -> cas(swarmId, ns, key, text)))))));
    }

    private Route body(java.util.function.Function<String, Route> inner) {
        return withSizeLimit(maxBodyBytes, () -> entity(Unmarshaller.entityToString(), inner));
    }

    private Route store(String swarmId, String ns, String key, String text) {
        StoreBody body = Json.parse(bodyMapper, text, StoreBody.class);
        JsonNode value = required(body.value(), "value");
        Duration ttl = ttl(body.ttlSeconds());
        return api.async(() -> memory.store(checked(swarmId), ns, key, value, ttl),
                version -> HttpApi.json(StatusCodes.OK, Map.of("version", version)));
    }

    private Route retrieve(String swarmId, String ns, String key) {
        return api.async(() -> memory.retrieve(checked(swarmId), ns, key), entry -> entry
                .map(e -> HttpApi.json(StatusCodes.OK, valueBody(e.value(), e.version(), e.expiresAtMillis())))
                .orElseGet(() -> api.problem(StatusCodes.NOT_FOUND, "no key '" + key + "' in namespace '" + ns + "'", "key")));
    }

    private Route delete(String swarmId, String ns, String key) {
        return api.async(() -> memory.delete(checked(swarmId), ns, key), version -> version
                .map(v -> HttpApi.json(StatusCodes.OK, Map.of("version", v)))
                .orElseGet(() -> api.problem(StatusCodes.NOT_FOUND, "no key '" + key + "' in namespace '" + ns + "'", "key")));
    }

    private Route cas(String swarmId, String ns, String key, String text) {
        CasBody body = Json.parse(bodyMapper, text, CasBody.class);
        long expected = required(body.expectedVersion(), "expectedVersion");
        if (expected < 0) {
            throw new InvalidFieldException("expectedVersion", "must be 0 (absent) or a version, was " + expected);
        }
        JsonNode value = required(body.value(), "value");
        Duration ttl = ttl(body.ttlSeconds());
        return api.async(() -> memory.cas(checked(swarmId), ns, key, expected, value, ttl), outcome -> {
            if (outcome.succeeded()) {
                return HttpApi.json(StatusCodes.OK, Map.of("version", outcome.version()));
            }
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "about:blank");
            problem.put("title", "Conflict");
            problem.put("status", 409);
            problem.put("detail", "expected version " + expected + " but the key's version is " + outcome.version()
                    + (outcome.version() == 0 ? " (absent)" : ""));
            problem.put("field", "expectedVersion");
            problem.put("currentVersion", outcome.version());
            return complete(HttpResponse.create().withStatus(StatusCodes.CONFLICT)
                    .withEntity(HttpEntities.create(HttpApi.PROBLEM_JSON, Json.write(problem))));
        });
    }

    private Route list(String swarmId, String ns, Optional<String> prefix, Optional<String> limit) {
        int max = limit(limit);
        return api.async(() -> memory.list(checked(swarmId), ns, prefix.orElse(""), max),
                items -> HttpApi.json(StatusCodes.OK, Map.of("namespace", ns, "items", items(items, false))));
    }

    private Route search(String swarmId, Optional<String> pattern, Optional<String> ns, Optional<String> limit) {
        if (pattern.isEmpty()) {
            throw new InvalidFieldException("search", "is missing (GET .../memory?search=PATTERN, glob with * and ?, else substring)");
        }
        int max = limit(limit);
        return api.async(() -> memory.search(checked(swarmId), ns.orElse(""), pattern.get(), max),
                items -> HttpApi.json(StatusCodes.OK, Map.of("items", items(items, true))));
    }

    private static List<Map<String, Object>> items(List<Item> items, boolean withNamespace) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Item i : items) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (withNamespace) {
                m.put("namespace", i.namespace());
            }
            m.put("key", i.key());
            m.putAll(valueBody(i.entry().value(), i.entry().version(), i.entry().expiresAtMillis()));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> valueBody(JsonNode value, long version, long expiresAtMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", value);
        m.put("version", version);
        if (expiresAtMillis != 0) {
            m.put("expiresAtMillis", expiresAtMillis);
        }
        return m;
    }

    private static Map<String, Object> raftBody(RaftMember.RaftStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("swarmId", s.swarmId());
        m.put("leader", s.leader());
        m.put("term", s.term());
        m.put("commitIndex", s.commitIndex());
        m.put("appliedIndex", s.appliedIndex());
        m.put("lastElectionAtMillis", s.lastElectionAtMillis());
        m.put("answeredBy", s.member());
        m.put("voters", s.members().stream().filter(RaftMember.MemberProgress::voter).map(RaftMember.MemberProgress::id).toList());
        m.put("learners", s.members().stream().filter(p -> !p.voter()).map(RaftMember.MemberProgress::id).toList());
        List<Map<String, Object>> members = new ArrayList<>();
        for (RaftMember.MemberProgress p : s.members()) {
            members.add(Map.of("id", p.id(), "role", p.voter() ? "voter" : "learner", "matchIndex", p.matchIndex()));
        }
        m.put("members", members);
        return m;
    }

    private static int limit(Optional<String> limit) {
        if (limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            return MemoryLimits.requireValidLimit(Integer.parseInt(limit.get()));
        } catch (NumberFormatException e) {
            throw new InvalidFieldException("limit", "must be an integer, was '" + limit.get() + "'");
        }
    }

    private static Duration ttl(Integer ttlSeconds) {
        if (ttlSeconds == null) {
            return Duration.ZERO;
        }
        if (ttlSeconds < 1) {
            throw new InvalidFieldException("ttlSeconds", "must be a positive number of seconds, was " + ttlSeconds);
        }
        return Duration.ofSeconds(ttlSeconds);
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        return value;
    }

    private static String checked(String swarmId) {
        return SwarmSpecs.checkId("swarmId", swarmId);
    }
}
