package org.agentmesh.pbft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The bytes that are signed and hashed: CBOR with properties sorted by name and map entries sorted by key, so equal
 * values always give equal bytes. The type id of a message is part of its content (a prepare can never pass for a
 * commit). A message's signed content is its encoding with an empty signature field.
 */
public final class CanonicalEncoding {

    private static final ObjectMapper MAPPER = CBORMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final ObjectWriter MESSAGE = MAPPER.writerFor(PbftMessage.class);
    private static final ObjectWriter BATCH = MAPPER.writerFor(
            MAPPER.getTypeFactory().constructCollectionType(List.class, PbftMessage.Request.class));
    private static final ObjectWriter SNAPSHOT = MAPPER.writerFor(ReplicaSnapshot.class);

    private CanonicalEncoding() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The bytes a message's signature covers. */
    public static byte[] content(PbftMessage message) {
        return write(MESSAGE, message.signature().isEmpty() ? message : message.withSignature(""));
    }

    /** The digest of a batch of requests (their signatures included). */
    public static String digest(List<PbftMessage.Request> batch) {
        return sha256(write(BATCH, batch));
    }

    /** The checkpoint digest of a replica state. */
    public static String digest(ReplicaSnapshot snapshot) {
        return sha256(write(SNAPSHOT, snapshot));
    }

    public static byte[] encode(PbftMessage message) {
        return write(MESSAGE, message);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value, e);
        }
    }
}
