package org.agentmesh.proposals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON text for ledger commands, results and snapshots: what pBFT orders (the request operation), returns (the reply)
 * and checkpoints. Deterministic: properties sorted by name, map entries by key, proposal JSON in its stored order.
 */
public final class ProposalCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    public String encode(ProposalCommand command) {
        return write(command, ProposalCommand.class);
    }

    /** Throws {@link IllegalArgumentException} if the text is not a command. */
    public ProposalCommand decodeCommand(String json) {
        try {
            return MAPPER.readValue(json, ProposalCommand.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a proposal command: " + e.getMessage(), e);
        }
    }

    public String encode(ProposalResult result) {
        return write(result, ProposalResult.class);
    }

    public ProposalResult decodeResult(String json) {
        return read(json, ProposalResult.class);
    }

    public String encode(LedgerSnapshot snapshot) {
        return write(snapshot, LedgerSnapshot.class);
    }

    public LedgerSnapshot decodeSnapshot(String json) {
        return read(json, LedgerSnapshot.class);
    }

    private static String write(Object value, Class<?> type) {
        try {
            return MAPPER.writerFor(type).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value, e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
