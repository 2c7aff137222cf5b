package org.agentmesh.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.SwarmAlreadyExists;
import org.agentmesh.swarm.SwarmNotFound;
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
    private static final ContentType.WithFixedCharset PROBLEM_JSON =
            ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8));

    private final AgentMesh mesh;

    public HttpApi(AgentMesh mesh) {
        this.mesh = mesh;
    }

    public Route routes() {
        Route all = concat(
                pathPrefix("health", () -> concat(
                        path("live", () -> get(() -> json(StatusCodes.OK, Map.of("status", "live")))),
                        path("ready", () -> get(this::ready)))),
                pathPrefix(segment("api").slash("v1"), () -> concat(
                        path("swarms", () -> concat(
                                post(() -> entity(Unmarshaller.entityToString(), this::createSwarm)),
                                get(() -> async(mesh::listSwarms, ids -> json(StatusCodes.OK, Map.of("swarms", ids)))))),
                        path(segment("swarms").slash(segment()), swarmId -> concat(
                                get(() -> async(() -> mesh.status(checked(swarmId)), s -> json(StatusCodes.OK, s))),
                                delete(() -> async(() -> mesh.shutdownSwarm(checked(swarmId)), r -> json(
                                        r.complete() ? StatusCodes.OK : StatusCodes.GATEWAY_TIMEOUT, r))))))));
        return handleRejections(problemRejections(), () -> handleExceptions(problemExceptions(), () -> all));
    }

    private Route ready() {
        if (mesh.isReady()) {
            return json(StatusCodes.OK, Map.of("status", "ready"));
        }
        return problem(StatusCodes.SERVICE_UNAVAILABLE, "not ready: this node has not joined its cluster yet", null);
    }

    private Route createSwarm(String body) {
        SwarmRequest request = Json.parse(body, SwarmRequest.class);
        return async(() -> mesh.createSwarm(request), spec -> respondWithHeader(
                Location.create("/api/v1/swarms/" + spec.id()), () -> json(StatusCodes.CREATED, spec)));
    }

    private static String checked(String swarmId) {
        return SwarmSpecs.checkId("swarmId", swarmId);
    }

    /** Runs an asynchronous call; its failure becomes the matching problem response. */
    private <T> Route async(java.util.function.Supplier<CompletionStage<T>> call, Function<T, Route> onSuccess) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            return problemFor(e);
        }
        return onComplete(stage, result -> result.isSuccess() ? onSuccess.apply(result.get()) : problemFor(result.failed().get()));
    }

    private Route problemFor(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof InvalidInput invalid) {
            return problem(StatusCodes.BAD_REQUEST, invalid.getMessage(), invalid.field());
        }
        if (e instanceof SwarmNotFound) {
            return problem(StatusCodes.NOT_FOUND, e.getMessage(), "swarmId");
        }
        if (e instanceof SwarmAlreadyExists) {
            return problem(StatusCodes.CONFLICT, e.getMessage(), "id");
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
                return response.withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(p)));
            }
            return response;
        });
    }

    static Route json(StatusCode status, Object body) {
        return new AllDirectives() {}.complete(HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body))));
    }

    static Route problem(StatusCode status, String detail, String field) {
        Problem p = Problem.of(status.intValue(), status.reason(), detail, field);
        return new AllDirectives() {}.complete(HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(p))));
    }
}
