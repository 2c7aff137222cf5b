package org.agentmesh.failure;

/** What an agent believes about a member; together with the incarnation it orders membership updates (SWIM). */
public enum MemberStatus {
    ALIVE,
    SUSPECT,
    FAILED
}
