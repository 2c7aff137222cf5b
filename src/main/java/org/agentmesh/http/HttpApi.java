package org.agentmesh.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.agentmesh.memory.InvalidFieldException;
import org.agentmesh.memory.NoMajorityException;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.ReportWindow;
import org.agentmesh.swarm.SwarmAlreadyExists;
import org.agentmesh.swarm.AgentNotFound;
import org.agentmesh.swarm.SwarmNotFound;
import org.agentmesh.swarm.TaskIdConflict;
import org.agentmesh.swarm.TaskNotFound;
import org.agentmesh.swarm.TaskRejected;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.swarm.SwarmSpecs;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API, {@code /api/v1} plus health checks. Bodies are JSON; every error is a {@link Problem}
 * ({@code application/problem+json}) naming the field at fault where there is one.
 */
public final class HttpApi extends AllDirectives {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final ContentType.WithFixedCharset PROBLEM_JSON =
            ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8));

    private final AgentMesh mesh;
    private final String token;
    private final long maxBodyBytes;
    private final ObjectMapper bodyMapper;
    private final BadRequestLog badRequests;
    private final TaskRoutes tasks;
    private final AgentRoutes agents;
    private final ProposalRoutes proposals;

    public HttpApi(AgentMesh mesh) {
        this.mesh = mesh;
        var config = mesh.system().settings().config().getConfig("agent-mesh.http");
        this.token = config.getString("token");
        this.maxBodyBytes = config.getBytes("max-body-bytes");
        this.bodyMapper = Json.strict(config.getInt("max-json-depth"), config.getInt("max-json-string-length"));
        this.badRequests = new BadRequestLog(config.getDuration("bad-request-log-interval"));
        this.tasks = new TaskRoutes(this, mesh);
        this.agents = new AgentRoutes(this, mesh);
        this.proposals = new ProposalRoutes(this, mesh);
    }

    /** Refused requests (4xx) answered since start. */
    public long badRequestCount() {
        return badRequests.total();
    }

    public Route routes() {
        Route all = concat(
                pathPrefix("health", () -> concat(
                        path("live", () -> get(() -> json(StatusCodes.OK, Map.of("status", "live")))),
                        path("ready", () -> get(this::ready)))),
                // the dashboard: a static page that polls the API (it sends the token from ?token= when one is set)
                pathSingleSlash(() -> get(() -> getFromResource("dashboard/index.html", ContentTypes.TEXT_HTML_UTF8))),
                path("dashboard.js", () -> get(() -> getFromResource("dashboard/dashboard.js",
                        ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)))),
                path("metrics", () -> get(() -> authorized(() -> complete(HttpResponse.create().withEntity(HttpEntities.create(
                        ContentTypes.create(MediaTypes.TEXT_PLAIN, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8),
                        mesh.metrics().scrape())))))),
                pathPrefix(segment("api").slash("v1"), () -> authorized(() -> concat(
                        path("swarms", () -> concat(
                                post(() -> withSizeLimit(maxBodyBytes, () -> entity(Unmarshaller.entityToString(), this::createSwarm))),
                                get(() -> async(mesh::listSwarms, ids -> json(StatusCodes.OK, Map.of("swarms", ids)))))),
                        pathPrefix(segment("swarms").slash(segment()).slash("tasks"), swarmId -> tasks.taskRoutes(checked(swarmId))),
                        pathPrefix(segment("swarms").slash(segment()), swarmId -> agents.routes(checked(swarmId))),
                        pathPrefix(segment("swarms").slash(segment()).slash("proposals"), swarmId -> proposals.proposalRoutes(checked(swarmId))),
                        path(segment("swarms").slash(segment()).slash("consensus"), swarmId -> proposals.consensus(checked(swarmId))),
                        path(segment("swarms").slash(segment()).slash("agents").slash(segment()).slash("claim"),
                                (swarmId, agentId) -> post(() -> tasks.claim(checked(swarmId), agentId))),
                        path(segment("swarms").slash(segment()).slash("topology"), swarmId -> get(() ->
                                async(() -> mesh.topology(checked(swarmId)), t -> json(StatusCodes.OK, t)))),
                        path(segment("swarms").slash(segment()).slash("topology").slash("optimize"), swarmId -> post(() ->
                                body(body -> {
                                    Optimize o = body.isBlank() ? new Optimize(null, null) : parse(body, Optimize.class);
                                    return async(() -> mesh.optimizeTopology(checked(swarmId), optionalInt(o.minLinks()),
                                            optionalInt(o.maxLinks())), plan -> json(StatusCodes.OK, plan));
                                }))),
                        path(segment("swarms").slash(segment()).slash("report"), swarmId -> get(() -> parameterOptional("format", format ->
                                parameterOptional("window", windowParam -> {
                            String f = format.orElse("json");
                            if (!f.equals("json") && !f.equals("summary")) {
                                throw new InvalidInput("format", "format must be json or summary");
                            }
                            ReportWindow window = ReportWindow.parse("window", windowParam.orElse("all"));
                            return async(() -> mesh.report(checked(swarmId), window), r -> f.equals("json") ? json(StatusCodes.OK, r)
                                    : complete(HttpResponse.create().withEntity(HttpEntities.create(
                                            ContentTypes.create(MediaTypes.TEXT_PLAIN, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8), r.summary()))));
                        })))),
                        path(segment("swarms").slash(segment()).slash("gossip"), swarmId -> get(() -> async(
                                () -> mesh.gossipReport(checked(swarmId)), r -> json(StatusCodes.OK, r)))),
                        path(segment("swarms").slash(segment()).slash("health"),
                                swarmId -> get(() -> async(() -> mesh.health(checked(swarmId)), h -> json(StatusCodes.OK, h)))),
                        path(segment("swarms").slash(segment()), swarmId -> concat(
                                get(() -> async(() -> mesh.status(checked(swarmId)), s -> json(StatusCodes.OK, s))),
                                delete(() -> async(() -> mesh.shutdownSwarm(checked(swarmId)), r -> json(
                                        r.complete() ? StatusCodes.OK : StatusCodes.GATEWAY_TIMEOUT, r))))),
                        new MemoryRoutes(this, mesh.memory(), bodyMapper, maxBodyBytes).routes()))));
        return handleRejections(problemRejections(), () -> handleExceptions(problemExceptions(),
                () -> optionalHeaderValueByName("Raw-Request-URI", raw -> raw.isPresent() && hasDotSegment(raw.get())
                        ? problem(StatusCodes.BAD_REQUEST, "the path must not contain '.' or '..' segments", "path")
                        : all)));
    }

    /**
     * Whether the request target as sent has a '.' or '..' segment (plain or percent-encoded). URI parsing would
     * silently resolve them; a client that sends them is probing, so it gets a 400. Needs
     * {@code pekko.http.server.raw-request-uri-header = on}, as agent-mesh-node.conf sets.
     */
    static boolean hasDotSegment(String rawTarget) {
        int query = rawTarget.indexOf('?');
        String path = query < 0 ? rawTarget : rawTarget.substring(0, query);
        for (String segment : path.split("/", -1)) {
            String s = segment.replace("%2e", ".").replace("%2E", ".");
            if (s.equals(".") || s.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** With a token configured, /api/v1 needs "Authorization: Bearer <token>"; compared in constant time. */
    private Route authorized(java.util.function.Supplier<Route> inner) {
        if (token.isEmpty()) {
            return inner.get();
        }
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return optionalHeaderValueByName("Authorization", header -> {
            if (header.isPresent() && MessageDigest.isEqual(expected, header.get().getBytes(StandardCharsets.UTF_8))) {
                return inner.get();
            }
            return respondWithHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"agent-mesh\""), () -> problem(
                    StatusCodes.UNAUTHORIZED, header.isPresent() ? "wrong bearer token" : "missing bearer token (Authorization: Bearer <token>)", null));
        });
    }

    private Route ready() {
        if (mesh.isReady()) {
            return json(StatusCodes.OK, Map.of("status", "ready"));
        }
        return problem(StatusCodes.SERVICE_UNAVAILABLE, "not ready: this node has not joined its cluster yet", null);
    }

    /** Parses a request body with the size- and depth-limited mapper. */
    /** Body of {@code POST .../topology/optimize}: the link range to re-plan with (default: the configured one). */
    record Optimize(Integer minLinks, Integer maxLinks) {}

    private static java.util.OptionalInt optionalInt(Integer value) {
        return value == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(value);
    }

    <T> T parse(String body, Class<T> type) {
        return Json.parse(bodyMapper, body, type);
    }

    /** A POST body route with the size limit applied. */
    Route body(Function<String, Route> inner) {
        return withSizeLimit(maxBodyBytes, () -> entity(Unmarshaller.entityToString(), inner));
    }

    private Route createSwarm(String body) {
        SwarmRequest request = parse(body, SwarmRequest.class);
        return async(() -> mesh.createSwarm(request), spec -> respondWithHeader(
                Location.create("/api/v1/swarms/" + spec.id()), () -> json(StatusCodes.CREATED, spec)));
    }

    static String checked(String swarmId) {
        return SwarmSpecs.checkId("swarmId", swarmId);
    }

    /** Runs an asynchronous call; its failure becomes the matching problem response. */
    <T> Route async(java.util.function.Supplier<CompletionStage<T>> call, Function<T, Route> onSuccess) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            return problemFor(e);
        }
        return onComplete(stage, result -> result.isSuccess() ? onSuccess.apply(result.get()) : problemFor(result.failed().get()));
    }

    Route problemFor(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof InvalidInput invalid) {
            return problem(StatusCodes.BAD_REQUEST, invalid.getMessage(), invalid.field());
        }
        if (e instanceof InvalidFieldException invalid) {
            return problem(StatusCodes.BAD_REQUEST, invalid.getMessage(), invalid.field());
        }
        if (e instanceof NoMajorityException) {
            return problem(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage(), null);
        }
        if (e instanceof SwarmNotFound) {
            return problem(StatusCodes.NOT_FOUND, e.getMessage(), "swarmId");
        }
        if (e instanceof AgentNotFound) {
            return problem(StatusCodes.NOT_FOUND, e.getMessage(), "to");
        }
        if (e instanceof TaskNotFound) {
            return problem(StatusCodes.NOT_FOUND, e.getMessage(), "taskId");
        }
        if (e instanceof TaskIdConflict) {
            return problem(StatusCodes.CONFLICT, e.getMessage(), "id");
        }
        if (e instanceof org.agentmesh.failure.WriteRefused) {
            return problem(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage(), null);
        }
        if (e instanceof TaskRejected) {
            return problem(StatusCodes.UNPROCESSABLE_ENTITY, e.getMessage(), "requiredCapabilities");
        }
        if (e instanceof SwarmAlreadyExists) {
            return problem(StatusCodes.CONFLICT, e.getMessage(), "id");
        }
        if (e instanceof EntityStreamSizeException) {
            return problem(StatusCodes.PAYLOAD_TOO_LARGE, "request body larger than " + maxBodyBytes + " bytes", "body");
        }
        if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
            return problem(StatusCodes.SERVICE_UNAVAILABLE, "the cluster did not answer in time: " + e.getMessage(), null);
        }
        log.error("request failed", e);
        return problem(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + e, null);
    }

    private ExceptionHandler problemExceptions() {
        return ExceptionHandler.newBuilder().match(Exception.class, this::problemFor).build();
    }

    private RejectionHandler problemRejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity().getContentType().mediaType().equals(MediaTypes.TEXT_PLAIN)) {
                String text = ((org.apache.pekko.http.javadsl.model.HttpEntity.Strict) response.entity()).getData().utf8String();
                Problem p = Problem.of(response.status().intValue(), response.status().reason(), text, null);
                if (response.status().intValue() < 500) {
                    badRequests.record(p.status(), text);
                }
                return response.withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(p)));
            }
            return response;
        });
    }

    Route problem(StatusCode status, String detail, String field) {
        if (status.intValue() >= 400 && status.intValue() < 500) {
            badRequests.record(status.intValue(), detail);
        }
        return plainProblem(status, detail, field);
    }

    /** Reads answered while this node is on a minority side (read-only mode) carry {@code X-Agent-Mesh-Stale: true}. */
    static Route staleMarked(boolean mayBeStale, java.util.function.Supplier<Route> inner) {
        return mayBeStale
                ? new AllDirectives() {}.respondWithHeader(
                        org.apache.pekko.http.javadsl.model.headers.RawHeader.create("X-Agent-Mesh-Stale", "true"), inner)
                : inner.get();
    }

    static Route json(StatusCode status, Object body) {
        return new AllDirectives() {}.complete(HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body))));
    }

    static Route plainProblem(StatusCode status, String detail, String field) {
        Problem p = Problem.of(status.intValue(), status.reason(), detail, field);
        return new AllDirectives() {}.complete(HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(p))));
    }
}
