package org.agentmesh.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.Collectors;
import org.agentmesh.swarm.InvalidInput;

/** The API's one JSON mapper: strict on input (no unknown fields, no coercion of strings to numbers), so mistakes are named. */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private Json() {}

    /** Parses a request body; a malformed body becomes an {@link InvalidInput} naming the field at fault. */
    public static <T> T parse(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidInput("body", "request body must be a JSON object");
        }
        try {
            T value = MAPPER.readValue(body, type);
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
