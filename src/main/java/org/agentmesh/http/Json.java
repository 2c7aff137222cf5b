package org.agentmesh.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.Collectors;
import org.agentmesh.swarm.InvalidInput;

/** The API's one JSON mapper: strict on input (no unknown fields, no coercion of strings to numbers), so mistakes are named. */
public final class Json {

    public static final ObjectMapper MAPPER = strict(64, 1_000_000);

    private Json() {}

    /**
     * A mapper that refuses what a request body has no business holding: unknown fields, strings where numbers
     * belong, nesting deeper than {@code maxDepth}, strings longer than {@code maxStringLength}.
     */
    public static ObjectMapper strict(int maxDepth, int maxStringLength) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxStringLength)
                        .maxNumberLength(64)
                        .build())
                .build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .build();
        // a number or boolean where a string belongs is a mistake, not an id
        var textual = mapper.coercionConfigFor(LogicalType.Textual);
        textual.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        textual.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        textual.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** Parses a request body with {@link #MAPPER}. */
    public static <T> T parse(String body, Class<T> type) {
        return parse(MAPPER, body, type);
    }

    /** Parses a request body; a malformed body becomes an {@link InvalidInput} naming the field at fault. */
    public static <T> T parse(ObjectMapper mapper, String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidInput("body", "request body must be a JSON object");
        }
        try {
            T value = mapper.readValue(body, type);
            if (value == null) {
                throw new InvalidInput("body", "request body must be a JSON object, was null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInput(path(e), "unknown field '" + e.getPropertyName() + "'");
        } catch (JsonMappingException e) {
            String field = path(e);
            throw new InvalidInput(field.isEmpty() ? "body" : field,
                    (field.isEmpty() ? "body" : field) + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (JsonProcessingException e) {
            throw new InvalidInput("body", "malformed JSON: " + e.getOriginalMessage());
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }
}
