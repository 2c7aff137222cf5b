package org.agentmesh.node;

import com.typesafe.config.Config;

/** Opens package-private pieces of {@link MeshNode} to tests in other packages. */
public final class MeshNodeAccess {
    private MeshNodeAccess() {}

    public static String httpInterface(Config config) {
        return MeshNode.httpInterface(config);
    }
}
