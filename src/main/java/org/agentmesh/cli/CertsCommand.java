package org.agentmesh.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.agentmesh.security.NodeCertificates;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Creates a CA, a trust store and one key store per node (with the JDK's keytool) for mutual TLS between nodes; see config/tls.conf.")
final class CertsCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "certs", description = "Directory for the files. Default: certs")
    Path out;

    @Option(names = "--nodes", split = ",", required = true, description = "Node names, e.g. node1,node2,node3")
    List<String> nodes;

    @Option(names = "--password", defaultValue = "${env:AGENT_MESH_TLS_PASSWORD:-changeit}",
            description = "Key store password. Default: $AGENT_MESH_TLS_PASSWORD or changeit")
    String password;

    @Option(names = "--days", defaultValue = "825", description = "Validity in days. Default: 825")
    int days;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        NodeCertificates certs;
        try {
            certs = new NodeCertificates(out, password, days);
            for (String node : nodes) {
                if (!node.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,62}")) {
                    throw new IllegalArgumentException("--nodes: bad node name '" + node + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        certs.createAuthority("agent-mesh-ca");
        java.io.PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("CA:          " + certs.caKeyStore() + " (keep it private), " + certs.caCertificate());
        stdout.println("trust store: " + certs.trustStore());
        for (String node : nodes) {
            stdout.println("node " + node + ":   " + certs.createNode(node));
        }
        return 0;
    }
}
