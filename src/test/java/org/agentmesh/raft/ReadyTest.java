package org.agentmesh.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a driver writes a Ready: what must be durable first, and which messages may go out during the write. */
class ReadyTest {

    private static final HardState WRITTEN = new HardState(3, "n1", 10);

    private static Ready ready(Optional<HardState> hs, List<LogEntry> entries, List<RaftMessage> messages) {
        return new Ready(hs, Optional.empty(), false, entries, messages, List.of(), List.of(), Optional.empty());
    }

    @Test
    void entriesTermsAndVotesMustBeWrittenACommitIndexAloneNeedNot() {
        LogEntry e = new LogEntry(11, 3, new EntryPayload.NoOp());
        assertTrue(ready(Optional.empty(), List.of(e), List.of()).needsWrite(WRITTEN));
        assertTrue(ready(Optional.of(new HardState(4, "", 10)), List.of(), List.of()).needsWrite(WRITTEN));
        assertTrue(ready(Optional.of(new HardState(3, "n2", 10)), List.of(), List.of()).needsWrite(WRITTEN));
        assertFalse(ready(Optional.of(new HardState(3, "n1", 12)), List.of(), List.of()).needsWrite(WRITTEN));
    }

    @Test
    void onlyALeadersMessagesOfADurableTermGoOutDuringTheWrite() {
        RaftMessage append = new RaftMessage.AppendEntries("n1", "n2", 3, 10, 3, List.of(), 10);
        RaftMessage heartbeat = new RaftMessage.Heartbeat("n1", "n3", 3, 10, 7);
        RaftMessage newTermAppend = new RaftMessage.AppendEntries("n1", "n2", 4, 10, 3, List.of(), 10);
        RaftMessage vote = new RaftMessage.VoteResponse("n1", "n2", 3, true);
        Ready r = ready(Optional.empty(), List.of(), List.of(append, vote, heartbeat, newTermAppend));

        Ready.MessagesAroundWrite split = r.splitForWrite(3, true);
        assertEquals(List.of(append, heartbeat), split.now());
        assertEquals(List.of(vote, newTermAppend), split.afterWrite());

        Ready.MessagesAroundWrite alone = r.splitForWrite(3, false);
        assertEquals(List.of(), alone.now());
        assertEquals(r.messages(), alone.afterWrite());
    }
}
