package org.agentmesh.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node as a separate JVM ({@code java -jar target/agent-mesh.jar node ...}), for tests that need real process death:
 * {@link #kill()} is SIGKILL, {@link #terminate()} SIGTERM, {@link #pause()}/{@link #resume()} SIGSTOP/SIGCONT.
 * Its output goes to {@code node-<port>.log} in its data directory.
 */
public final class NodeProcess implements AutoCloseable {

    private final Path jar;
    private final int port;
    private final int httpPort;
    private final List<String> seeds;
    private final Path dataDir;
    private final List<String> extraArgs;
    private Process process;

    /**
     * @param jar the runnable jar (normally {@code target/agent-mesh.jar})
     * @param seeds seed nodes as {@code host:port}; empty founds a new cluster
     * @param extraArgs further JVM options, e.g. {@code -Dpekko.cluster.split-brain-resolver.stable-after=2s}
     */
    public NodeProcess(Path jar, int port, int httpPort, List<String> seeds, Path dataDir, List<String> extraArgs) {
        this.jar = jar;
        this.port = port;
        this.httpPort = httpPort;
        this.seeds = List.copyOf(seeds);
        this.dataDir = dataDir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts the JVM (again, after a kill) and returns without waiting; see {@link #awaitReady}. */
    public NodeProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node on port " + port + " is running");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(extraArgs);
        cmd.addAll(List.of("-jar", jar.toString(), "node", "--port", String.valueOf(port), "--http", String.valueOf(httpPort),
                "--data", dataDir.toString()));
        for (String seed : seeds) {
            cmd.addAll(List.of("--seed", seed));
        }
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("node-" + port + ".log");
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Waits until {@code GET /health/ready} answers 200; fails if the process dies first or the timeout passes. */
    public NodeProcess awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node on port " + port + " exited with " + process.exitValue()
                        + "; see " + dataDir.resolve("node-" + port + ".log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpBase() + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            MeshTestCluster.sleep(200);
        }
        throw new IllegalStateException("node on port " + port + " not ready within " + timeout);
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The agents that a swarm's health answer ({@code GET .../health}) places on this process. */
    public java.util.SortedSet<String> agentsIn(com.fasterxml.jackson.databind.JsonNode health) {
        java.util.SortedSet<String> on = new java.util.TreeSet<>();
        health.get("agents").forEach(r -> {
            if (r.get("node").asText().endsWith(address())) {
                on.add(r.get("agentId").asText());
            }
        });
        return on;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: the JVM dies at once, with no chance to leave the cluster or flush anything. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM: Pekko's shutdown hook leaves the cluster gracefully. Returns the exit code. */
    public int terminate(Duration timeout) {
        process.destroy();
        return waitFor(timeout);
    }

    /** SIGSTOP: the process freezes (no heartbeats), as in a long GC pause or a VM stall. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            int rc = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill -" + name + " failed with " + rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }
}
