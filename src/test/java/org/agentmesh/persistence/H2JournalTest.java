package org.agentmesh.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal scenarios on the embedded default: an H2 file in the data dir, shared by the nodes. */
class H2JournalTest extends JournalScenarios {

    @Override
    MeshTestCluster cluster(int nodes, Path dataDir) {
        return MeshTestCluster.start(nodes, dataDir, SCENARIO_CONFIG);
    }

    @Override
    Connection database(Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal") + ";AUTO_SERVER=TRUE", "sa", "");
    }

    @Test
    void theJournalIsAFileInTheDataDir(@TempDir Path data) {
        try (MeshTestCluster c = cluster(1, data)) {
            assertTrue(Files.exists(data.resolve("journal.mv.db")));
        }
    }
}
