package org.agentmesh.task;

import com.fasterxml.jackson.databind.JsonNode;
import org.agentmesh.serialization.CborSerializable;

/** What one attempt produced: success with an output, or failure with an error message (and any output). */
public record TaskResult(boolean success, JsonNode output, String error) implements CborSerializable {

    public static TaskResult ok(JsonNode output) {
        return new TaskResult(true, output, "");
    }

    public static TaskResult failed(String error, JsonNode output) {
        return new TaskResult(false, output, error);
    }
}
