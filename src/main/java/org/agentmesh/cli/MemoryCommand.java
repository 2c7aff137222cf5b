package org.agentmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-mesh memory store|retrieve|list|delete|search}: the swarm's Raft-replicated memory. */
@Command(name = "memory", mixinStandardHelpOptions = true, description = "The swarm's shared, linearizable memory.",
        subcommands = {MemoryCommand.Store.class, MemoryCommand.Retrieve.class, MemoryCommand.ListKeys.class,
                MemoryCommand.Delete.class, MemoryCommand.Search.class})
final class MemoryCommand {

    static String base(String swarm, String namespace) {
        return ClientCommand.swarmPath(swarm) + "/memory/" + NodeClient.segment(namespace);
    }

    @Command(name = "store", mixinStandardHelpOptions = true, description = "Store a JSON value under namespace/key.")
    static final class Store extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Key") String key;
        @Parameters(index = "2", description = "Value: JSON, or a plain string") String value;
        @Option(names = "--namespace", defaultValue = "default", description = "Namespace. Default: default") String namespace;
        @Option(names = "--ttl", description = "Seconds to live") Integer ttl;

        @Override
        public Integer call() throws Exception {
            JsonNode v;
            try {
                v = MeshClient.JSON.readTree(value);
            } catch (Exception e) {
                v = MeshClient.JSON.getNodeFactory().textNode(value); // not JSON: store it as a string
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("value", v);
            if (ttl != null) {
                body.put("ttlSeconds", ttl);
            }
            return send("PUT", base(swarm, namespace) + "/" + NodeClient.segment(key), body);
        }
    }

    @Command(name = "retrieve", mixinStandardHelpOptions = true, description = "Read namespace/key (linearizable).")
    static final class Retrieve extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Key") String key;
        @Option(names = "--namespace", defaultValue = "default", description = "Namespace. Default: default") String namespace;

        @Override
        public Integer call() throws Exception {
            return send("GET", base(swarm, namespace) + "/" + NodeClient.segment(key), null);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Keys of a namespace, optionally with a prefix.")
    static final class ListKeys extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Option(names = "--namespace", defaultValue = "default", description = "Namespace. Default: default") String namespace;
        @Option(names = "--prefix", description = "Key prefix") String prefix;

        @Override
        public Integer call() throws Exception {
            return send("GET", base(swarm, namespace) + (prefix == null ? "" : "?prefix=" + NodeClient.segment(prefix)), null);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete namespace/key.")
    static final class Delete extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Key") String key;
        @Option(names = "--namespace", defaultValue = "default", description = "Namespace. Default: default") String namespace;

        @Override
        public Integer call() throws Exception {
            return send("DELETE", base(swarm, namespace) + "/" + NodeClient.segment(key), null);
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Keys matching a glob (* ?) or a substring.")
    static final class Search extends ClientCommand {
        @Parameters(index = "0", description = "Swarm id") String swarm;
        @Parameters(index = "1", description = "Pattern") String pattern;
        @Option(names = "--namespace", description = "Only this namespace") String namespace;

        @Override
        public Integer call() throws Exception {
            String path = swarmPath(swarm) + "/memory?search=" + NodeClient.segment(pattern)
                    + (namespace == null ? "" : "&namespace=" + NodeClient.segment(namespace));
            return send("GET", path, null);
        }
    }
}
