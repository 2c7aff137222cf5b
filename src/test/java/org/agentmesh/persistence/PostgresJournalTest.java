package org.agentmesh.persistence;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The journal scenarios on a real PostgreSQL server, through the shipped {@code config/postgres.conf}.
 * {@code .ci/run} starts the server and sets {@code AGENT_MESH_DB_URL}; under CI a missing server is a failure,
 * elsewhere the class is skipped (run {@code .ci/postgres.sh} and export the variable to include it).
 */
class PostgresJournalTest extends JournalScenarios {

    private static final String URL = System.getenv("AGENT_MESH_DB_URL");
    private static final String USER = System.getenv().getOrDefault("AGENT_MESH_DB_USER", "agentmesh");
    private static final String PASSWORD = System.getenv().getOrDefault("AGENT_MESH_DB_PASSWORD", "agentmesh");

    @BeforeAll
    static void requireServer() {
        if (URL == null && "true".equals(System.getenv("CI"))) {
            fail("CI must run the PostgreSQL tests: AGENT_MESH_DB_URL is not set");
        }
        assumeTrue(URL != null, "AGENT_MESH_DB_URL not set: PostgreSQL tests skipped");
        System.out.println("PostgreSQL journal tests against " + URL);
    }

    /** Each scenario starts from an empty journal: remembered shards of an earlier scenario would start its agents too. */
    @BeforeEach
    void emptyJournal() throws Exception {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            try (ResultSet tables = c.getMetaData().getTables(null, "public", "event_journal", null)) {
                if (tables.next()) {
                    s.execute("TRUNCATE event_tag, event_journal, snapshot, durable_state");
                }
            }
        }
    }

    @Override
    MeshTestCluster cluster(int nodes, Path dataDir) {
        return MeshTestCluster.start(nodes, dataDir, Path.of("config/postgres.conf"), SCENARIO_CONFIG);
    }

    @Override
    Connection database(Path dataDir) throws SQLException {
        return DriverManager.getConnection(URL, USER, PASSWORD);
    }
}
