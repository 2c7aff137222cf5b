package org.agentmesh.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agentmesh.node.MeshNode;
import org.agentmesh.node.NodeSettings;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS between nodes with config/tls.conf: certificates of the cluster's CA join, a foreign CA's do not. */
class TlsJoinTest {

    private static MeshNode startNode(NodeCertificates ca, String name, int port, int seedPort, Path data) {
        Map<String, Object> tls = new HashMap<>(MeshTestCluster.testOverrides());
        tls.put("pekko.remote.artery.ssl.config-ssl-engine.key-store", ca.nodeKeyStore(name).toString());
        tls.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store", ca.trustStore().toString());
        tls.put("pekko.remote.artery.ssl.config-ssl-engine.key-store-password", "secret-1");
        return MeshNode.start(NodeSettings.defaults().withPort(port).withHttpPort(-1).withSeeds(List.of("127.0.0.1:" + seedPort))
                .withDataDir(data).withConfigFile(Path.of("config/tls.conf")).withOverrides(tls));
    }

    private static long upMembers(MeshNode node) {
        long up = 0;
        for (var m : Cluster.get(node.system()).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                up++;
            }
        }
        return up;
    }

    @Test
    void onlyNodesWithACertificateOfTheClustersCaJoin(@TempDir Path dir) throws Exception {
        NodeCertificates ours = new NodeCertificates(dir.resolve("ours"), "secret-1", 30);
        ours.createAuthority("agent-mesh-ca");
        ours.createNode("a");
        ours.createNode("b");
        NodeCertificates foreign = new NodeCertificates(dir.resolve("foreign"), "secret-1", 30);
        foreign.createAuthority("other-ca");
        foreign.createNode("c");

        int portA = MeshTestCluster.freePort();
        List<MeshNode> nodes = new ArrayList<>();
        try {
            MeshNode a = startNode(ours, "a", portA, portA, dir.resolve("data"));
            nodes.add(a);
            MeshNode b = startNode(ours, "b", MeshTestCluster.freePort(), portA, dir.resolve("data"));
            nodes.add(b);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> upMembers(a) == 2 && upMembers(b) == 2);
            assertEquals("tls-tcp", a.system().settings().config().getString("pekko.remote.artery.transport"));

            MeshNode c = startNode(foreign, "c", MeshTestCluster.freePort(), portA, dir.resolve("data-foreign"));
            nodes.add(c);
            // give the intruder ample time: its handshakes are refused, so it never becomes a member
            Thread.sleep(8_000);
            assertEquals(2, upMembers(a), "the node with a foreign certificate must not join");
            assertFalse(Cluster.get(c.system()).selfMember().status() == MemberStatus.up(), "the foreign node is not Up");
            var intruder = Cluster.get(c.system()).selfMember().address();
            for (var m : Cluster.get(a.system()).state().getMembers()) {
                assertFalse(m.address().equals(intruder), "the foreign node is not even Joining");
            }
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
        }
    }
}
