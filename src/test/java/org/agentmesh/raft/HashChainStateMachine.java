package org.agentmesh.raft;

import java.nio.ByteBuffer;

/**
 * A test state machine: an append-only register that folds every command into a 64-bit hash chain and counts them.
 * Two replicas that applied the same commands in the same order have the same {@link #digest()}.
 */
final class HashChainStateMachine implements StateMachine {

    private long count;
    private long hash = 0xcbf29ce484222325L;
    private long lastIndex;

    @Override
    public byte[] apply(long index, byte[] command) {
        if (index <= lastIndex) {
            throw new AssertionError("apply of index " + index + " after " + lastIndex);
        }
        lastIndex = index;
        for (byte b : command) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash = (hash ^ 0xff) * 0x100000001b3L;
        count++;
        return ByteBuffer.allocate(8).putLong(hash).array();
    }

    /** Marks a no-op or configuration entry as applied: the state does not change. */
    void skip(long index) {
        if (index <= lastIndex) {
            throw new AssertionError("skip of index " + index + " after " + lastIndex);
        }
        lastIndex = index;
    }

    @Override
    public byte[] snapshot() {
        return ByteBuffer.allocate(24).putLong(count).putLong(hash).putLong(lastIndex).array();
    }

    @Override
    public void restore(byte[] snapshot) {
        if (snapshot.length == 0) {
            count = 0;
            hash = 0xcbf29ce484222325L;
            lastIndex = 0;
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(snapshot);
        count = b.getLong();
        hash = b.getLong();
        lastIndex = b.getLong();
    }

    long digest() {
        return hash * 31 + count;
    }

    long count() {
        return count;
    }

    long lastIndex() {
        return lastIndex;
    }
}
