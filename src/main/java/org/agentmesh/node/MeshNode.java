package org.agentmesh.node;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agentmesh.http.HttpApi;
import org.agentmesh.swarm.AgentMesh;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Agent Mesh node: a Pekko cluster member running the mesh and serving the HTTP API.
 * {@link #close()} leaves the cluster gracefully (CoordinatedShutdown); SIGTERM does the same through Pekko's JVM hook.
 */
public final class MeshNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MeshNode.class);

    private final ActorSystem<Void> system;
    private final AgentMesh mesh;
    private final ServerBinding binding;

    private MeshNode(ActorSystem<Void> system, AgentMesh mesh, ServerBinding binding) {
        this.system = system;
        this.mesh = mesh;
        this.binding = binding;
    }

    public static MeshNode start(NodeSettings settings) {
        return start(settings.toConfig());
    }

    public static MeshNode start(Config config) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeSettings.SYSTEM_NAME, config);
        try {
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                // no seeds: this node founds its own (one-node) mesh
                Cluster cluster = Cluster.get(system);
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            AgentMesh mesh = AgentMesh.get(system);
            ServerBinding binding = null;
            int httpPort = config.getInt("agent-mesh.http.port");
            if (httpPort >= 0) {
                String iface = httpInterface(config);
                binding = Http.get(system).newServerAt(iface, httpPort).bind(new HttpApi(mesh).routes())
                        .toCompletableFuture().get(10, TimeUnit.SECONDS)
                        .addToCoordinatedShutdown(Duration.ofSeconds(5), system);
                log.info("HTTP API on http://{}:{}/api/v1", iface, binding.localAddress().getPort());
            }
            log.info("node {} started (data in {})", Cluster.get(system).selfMember().address(),
                    config.getString("agent-mesh.data-dir"));
            return new MeshNode(system, mesh, binding);
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
        }
    }

    /** Without a token the API is for this machine only: it binds to loopback whatever the config says. */
    static String httpInterface(Config config) {
        String iface = config.getString("agent-mesh.http.interface");
        if (!config.getString("agent-mesh.http.token").isEmpty()) {
            log.info("HTTP API requires a bearer token (agent-mesh.http.token)");
            return iface;
        }
        boolean loopback = iface.equals("localhost") || iface.startsWith("127.") || iface.equals("::1");
        if (!loopback) {
            log.warn("no HTTP token set (agent-mesh.http.token / AGENT_MESH_HTTP_TOKEN): binding the API to 127.0.0.1, not {}", iface);
        } else {
            log.info("no HTTP token set: the API is open to local clients only (bound to {})", iface);
        }
        return loopback ? iface : "127.0.0.1";
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public AgentMesh mesh() {
        return mesh;
    }

    /** The HTTP port actually bound, or -1 without HTTP. */
    public int httpPort() {
        return binding == null ? -1 : binding.localAddress().getPort();
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort();
    }

    /** Leaves the cluster and stops, waiting up to 30 s. */
    @Override
    public void close() {
        try {
            CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("graceful shutdown did not finish: {}", e.toString());
            system.terminate();
        }
    }
}
