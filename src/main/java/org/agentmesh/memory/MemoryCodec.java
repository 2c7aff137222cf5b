package org.agentmesh.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * CBOR bytes for memory commands, results and snapshots: what Raft replicates, persists and hands back.
 *
 * <p>Encoding is deterministic for a given value: properties are written in a fixed order and JSON object fields in
 * their stored (insertion) order, so replicas that applied the same commands produce identical snapshot bytes.
 * Thread-safe.
 */
public final class MemoryCodec {

    private final ObjectMapper mapper = CBORMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    private final ObjectWriter commandWriter = mapper.writerFor(MemoryCommand.class);
    private final ObjectReader commandReader = mapper.readerFor(MemoryCommand.class);
    private final ObjectWriter resultWriter = mapper.writerFor(MemoryResult.class);
    private final ObjectReader resultReader = mapper.readerFor(MemoryResult.class);
    private final ObjectWriter snapshotWriter = mapper.writerFor(MemorySnapshot.class);
    private final ObjectReader snapshotReader = mapper.readerFor(MemorySnapshot.class);
    private final ObjectWriter valueWriter = mapper.writerFor(JsonNode.class);

    public byte[] encodeCommand(MemoryCommand command) {
        return write(commandWriter, command);
    }

    /** Throws {@link InvalidFieldException} (field {@code command}) if the bytes are not a command. */
    public MemoryCommand decodeCommand(byte[] bytes) {
        return read(commandReader, bytes, "command");
    }

    public byte[] encodeResult(MemoryResult result) {
        return write(resultWriter, result);
    }

    public MemoryResult decodeResult(byte[] bytes) {
        return read(resultReader, bytes, "result");
    }

    public byte[] encodeSnapshot(MemorySnapshot snapshot) {
        return write(snapshotWriter, snapshot);
    }

    public MemorySnapshot decodeSnapshot(byte[] bytes) {
        return read(snapshotReader, bytes, "snapshot");
    }

    /** Size of a value as replicated, the measure {@link MemoryLimits#MAX_VALUE_BYTES} applies to. */
    public int encodedSize(JsonNode value) {
        try {
            return valueWriter.writeValueAsBytes(value).length;
        } catch (JsonProcessingException e) {
            // e.g. nested deeper than Jackson's stream constraints allow: bad input, not a bug
            throw new InvalidFieldException("value", "cannot be encoded: " + e.getOriginalMessage());
        }
    }

    private static byte[] write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // our own records and JsonNode trees always encode; failing here is a programming error
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(ObjectReader reader, byte[] bytes, String field) {
        try {
            return reader.readValue(MemoryLimits.present(bytes, field));
        } catch (IOException e) {
            // a record constructor's InvalidFieldException arrives wrapped by Jackson: keep its field name
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InvalidFieldException invalid) {
                    throw invalid;
                }
            }
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new InvalidFieldException(field, "cannot be decoded: " + why);
        }
    }
}
