package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed requests to every endpoint, sent over raw sockets so that even illegal URIs and invalid UTF-8
 * get through: every answer is a 4xx with a problem body, the node stays healthy, and nothing changes (same swarms,
 * same journal rows).
 */
class MalformedInputFuzzTest {

    private static final int RANDOM_CASES = 3_000;

    record Raw(int status, String contentType, String body) {}

    private static Raw send(int port, String method, String target, byte[] body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int headerEnd = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, headerEnd).split("\r\n");
            String contentType = "";
            for (String line : lines) {
                if (line.toLowerCase().startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                }
            }
            return new Raw(Integer.parseInt(lines[0].split(" ")[1]), contentType, text.substring(headerEnd + 4));
        }
    }

    /** Bodies for POST /api/v1/swarms that are invalid by construction. */
    static List<byte[]> fixedBadBodies() {
        List<String> s = new ArrayList<>(List.of(
                "", " ", "null", "[]", "42", "\"swarm\"", "true", "<swarm/>", "{", "}", "{\"id\":}", "{\"id\" \"x\"}",
                "{\"id\":\"a\",}", "{'id':'a'}", "{\"id\":\"a\"} {}", "{\"id\":\"a\"}garbage",
                "{\"id\":1}", "{\"id\":[]}", "{\"id\":{}}", "{\"id\":true}", "{\"id\":\"\"}", "{\"id\":\" \"}",
                "{\"id\":\"../etc/passwd\"}", "{\"id\":\"a/b\"}", "{\"id\":\"a\\u0000b\"}", "{\"id\":\"\\ud800\"}",
                "{\"id\":\"\\u202eevil\"}", "{\"id\":\"\uD83D\uDE00\"}", "{\"id\":\"é\"}", "{\"id\":\"" + "x".repeat(65) + "\"}",
                "{\"topology\":5}", "{\"topology\":\"MESH\"}", "{\"topology\":\"ring\"}", "{\"topology\":null,\"maxAgents\":-1}",
                "{\"maxAgents\":\"3\"}", "{\"maxAgents\":3.5}", "{\"maxAgents\":true}", "{\"maxAgents\":[]}", "{\"maxAgents\":-1}",
                "{\"maxAgents\":0}", "{\"maxAgents\":1001}", "{\"maxAgents\":1e10}", "{\"maxAgents\":99999999999999999999}",
                "{\"maxAgents\":NaN}", "{\"maxAgents\":Infinity}", "{\"maxAgents\":0x10}", "{\"maxAgents\":" + "9".repeat(200) + "}",
                "{\"strategy\":1}", "{\"strategy\":\"fastest\"}", "{\"agentCount\":\"x\"}", "{\"agentCount\":-5}",
                "{\"agentCount\":2.5}", "{\"maxAgents\":2,\"agentCount\":3}", "{\"capabilities\":\"code\"}",
                "{\"capabilities\":[1]}", "{\"capabilities\":[null]}", "{\"capabilities\":[\"\"]}", "{\"capabilities\":[\"a b\"]}",
                "{\"capabilities\":[{}]}", "{\"agents\":{}}", "{\"agents\":[1]}", "{\"agents\":[null]}",
                "{\"agents\":[{\"capacity\":\"x\"}]}", "{\"agents\":[{\"capacity\":0}]}", "{\"agents\":[{\"id\":\"bad id\"}]}",
                "{\"agents\":[{\"id\":\"a\"},{\"id\":\"a\"}]}", "{\"agents\":[{\"role\":\"x\"}]}", "{\"agents\":[],\"agentCount\":1}",
                "{\"unknown\":1}", "{\"ID\":\"a\"}", "{\"id\":\"ok\",\"id\":\"ok\",\"extra\":{}}",
                "{\"id\":\"" + "y".repeat(300_000) + "\"}",
                "{\"capabilities\":[" + "\"c\",".repeat(20_000) + "\"c\"]}",
                "{\"agents\":" + "[".repeat(100) + "]".repeat(100) + "}",
                "{\"x\":" + "{\"x\":".repeat(50) + "1" + "}".repeat(51)));
        List<byte[]> bodies = new ArrayList<>();
        s.forEach(b -> bodies.add(b.getBytes(StandardCharsets.UTF_8)));
        bodies.add(new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}); // invalid UTF-8
        bodies.add(new byte[] {(byte) 0xFF, (byte) 0xFE, '{', '}'});
        bodies.add(("{\"id\":\"" + "z".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8)); // over the body limit
        return bodies;
    }

    static final List<String> BAD_PATHS = List.of("..", "%2e%2e", "a%2Fb", "a%00b", "%", "%zz", "a b", "x".repeat(65),
            "%F0%9F%98%80", "%E2%80%AE", "-leading-dash", ".hidden", "a;b", "a?b=c", "unknown-swarm", "UNKNOWN", "a%252Fb");

    static final String VALID = "{\"id\":\"fuzz-target\",\"topology\":\"mesh\",\"maxAgents\":4,\"strategy\":\"capability\",\"agentCount\":2}";

    /** A random request that must be refused: a strict prefix of a valid body, a random byte flip into a control char, or junk. */
    static byte[] randomBadBody(SplittableRandom r) {
        switch (r.nextInt(3)) {
            case 0 -> {
                return VALID.substring(0, r.nextInt(VALID.length())).getBytes(StandardCharsets.UTF_8);
            }
            case 1 -> {
                char[] c = VALID.toCharArray();
                c[r.nextInt(c.length)] = (char) r.nextInt(0, 32); // raw control characters are illegal everywhere in JSON
                return new String(c).getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                byte[] junk = new byte[r.nextInt(1, 200)];
                r.nextBytes(junk);
                junk[0] = (byte) '#'; // never a JSON value start
                return junk;
            }
        }
    }

    /**
     * Journal rows written for swarms and agents. A swarm's Raft group (its mesh memory) writes on its own after the
     * swarm is created (elections, the leader's no-op entry), and the agents' failure detectors are woken (and remembered)
     * in the background, whatever requests arrive: those rows are not counted.
     */
    private static long journalRows(MeshTestCluster cluster) throws Exception {
        String url = "jdbc:h2:file:" + cluster.dataDir().toAbsolutePath() + "/journal;AUTO_SERVER=TRUE";
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "select count(*) from \"event_journal\" where \"persistence_id\" not like '%RaftMember%'"
                             + " and \"persistence_id\" not like '%FailureDetector%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void everyMalformedRequestIsA4xxProblemAndChangesNothing() throws Exception {
        try (MeshTestCluster cluster = MeshTestCluster.start(1)) {
            var mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("keep", 3)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(java.time.Duration.ofSeconds(20),
                    () -> mesh.status("keep").toCompletableFuture().join().active() == 3);
            int port = cluster.node(0).httpPort();
            List<String> swarmsBefore = mesh.listSwarms().toCompletableFuture().join();
            long rowsBefore = journalRows(cluster);

            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            int tried = 0;
            SplittableRandom random = new SplittableRandom(20261125);
            List<Object[]> cases = new ArrayList<>();
            for (byte[] body : fixedBadBodies()) {
                cases.add(new Object[] {"POST", "/api/v1/swarms", body});
            }
            for (String p : BAD_PATHS) {
                for (String method : List.of("GET", "DELETE")) {
                    cases.add(new Object[] {method, "/api/v1/swarms/" + p, null});
                }
                cases.add(new Object[] {"POST", "/api/v1/swarms/" + p, VALID.getBytes(StandardCharsets.UTF_8)});
                cases.add(new Object[] {"GET", "/api/v1/" + p, null});
                cases.add(new Object[] {"GET", "/" + p + "/api/v1/swarms", null});
            }
            // the task endpoints: bad bodies, bad ids, unknown swarm, stale or foreign attempts
            List<String> badTaskBodies = List.of("", "{", "[]", "{\"executor\":1}", "{\"executor\":\"teleport\"}",
                    "{\"executor\":\"sleep\",\"priority\":\"high\"}", "{\"executor\":\"sleep\",\"priority\":-1}",
                    "{\"executor\":\"sleep\",\"requiredCapabilities\":[\"no such\"]}", "{\"executor\":\"sleep\",\"id\":\"a/b\"}",
                    "{\"executor\":\"shell\",\"payload\":{\"command\":\"id\"}}", "{\"executor\":\"sleep\",\"payload\":[]}",
                    "{\"executor\":\"sleep\",\"payload\":{\"millis\":-5}}", "{\"executor\":\"http\",\"payload\":{\"url\":\"file:///etc/passwd\"}}",
                    "{\"executor\":\"sleep\",\"requiredCapabilities\":[\"unheard-of\"]}", "{\"executor\":\"sleep\",\"assignTo\":\"ghost\"}",
                    "{\"tasks\":[]}", "{\"tasks\":{}}", "{\"tasks\":[1]}", "{\"executor\":\"sleep\",\"unknown\":true}");
            for (String b : badTaskBodies) {
                cases.add(new Object[] {"POST", "/api/v1/swarms/keep/tasks", b.getBytes(StandardCharsets.UTF_8)});
                cases.add(new Object[] {"POST", "/api/v1/swarms/no-swarm/tasks", b.getBytes(StandardCharsets.UTF_8)});
                cases.add(new Object[] {"POST", "/api/v1/swarms/keep/tasks/unknown-task/complete", b.getBytes(StandardCharsets.UTF_8)});
            }
            for (String p : BAD_PATHS) {
                cases.add(new Object[] {"GET", "/api/v1/swarms/keep/tasks/" + p, null});
                cases.add(new Object[] {"DELETE", "/api/v1/swarms/keep/tasks/" + p, null});
                cases.add(new Object[] {"POST", "/api/v1/swarms/keep/agents/" + p + "/claim", null});
            }
            cases.add(new Object[] {"GET", "/api/v1/swarms/keep/tasks?state=bogus", null});
            cases.add(new Object[] {"GET", "/api/v1/swarms/keep/tasks?limit=-1", null});
            cases.add(new Object[] {"GET", "/api/v1/swarms/keep/tasks?limit=abc", null});
            cases.add(new Object[] {"POST", "/api/v1/swarms/keep/tasks/x/explode", "{}".getBytes(StandardCharsets.UTF_8)});
            cases.add(new Object[] {"POST", "/api/v1/swarms/keep/tasks/x/heartbeat", "{\"agentId\":\"agent-1\",\"attempt\":1}".getBytes(StandardCharsets.UTF_8)});
            for (String method : List.of("PUT", "PATCH", "DELETE")) {
                cases.add(new Object[] {method, "/api/v1/swarms", VALID.getBytes(StandardCharsets.UTF_8)});
            }
            cases.add(new Object[] {"POST", "/health/live", null});
            cases.add(new Object[] {"GET", "/api/v2/swarms", null});
            for (int i = 0; i < RANDOM_CASES; i++) {
                cases.add(new Object[] {"POST", "/api/v1/swarms", randomBadBody(random)});
            }

            for (Object[] c : cases) {
                String method = (String) c[0];
                String target = (String) c[1];
                byte[] body = (byte[]) c[2];
                Raw r = send(port, method, target, body);
                tried++;
                statuses.merge(r.status(), 1, Integer::sum);
                String shown = method + " " + target + (body == null ? "" : " " + new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8));
                if (r.status() < 400 || r.status() >= 500) {
                    failures.add(r.status() + " for " + shown + ": " + r.body());
                    continue;
                }
                if (!r.contentType().startsWith("application/problem+json")) {
                    failures.add("no problem body (" + r.contentType() + ") for " + shown + ": " + r.body());
                    continue;
                }
                JsonNode problem = Json.MAPPER.readTree(r.body());
                if (problem.path("status").asInt() != r.status() || problem.path("detail").asText().isEmpty()) {
                    failures.add("problem body does not match status " + r.status() + " for " + shown + ": " + r.body());
                }
            }
            System.out.println("malformed requests tried: " + tried + ", answers by status: " + statuses);
            assertTrue(failures.isEmpty(), failures.size() + " bad answers, first ones:\n"
                    + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));

            // the node is healthy and nothing changed
            Raw ready = send(port, "GET", "/health/ready", null);
            assertEquals(200, ready.status());
            assertEquals(swarmsBefore, mesh.listSwarms().toCompletableFuture().join());
            assertEquals(3, mesh.status("keep").toCompletableFuture().join().active());
            long rowsAfter = journalRows(cluster);
            if (rowsAfter != rowsBefore) {
                String url = "jdbc:h2:file:" + cluster.dataDir().toAbsolutePath() + "/journal;AUTO_SERVER=TRUE";
                try (Connection c = DriverManager.getConnection(url, "sa", "");
                     ResultSet rs = c.createStatement().executeQuery("select \"persistence_id\", \"event_ser_manifest\" from \"event_journal\" order by \"ordering\"")) {
                    while (rs.next()) {
                        System.out.println("journal: " + rs.getString(1) + " " + rs.getString(2));
                    }
                }
            }
            assertEquals(rowsBefore, rowsAfter, "malformed requests wrote nothing to the journal");
        }
    }
}
