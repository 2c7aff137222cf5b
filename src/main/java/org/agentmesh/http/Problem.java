package org.agentmesh.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem body: every error the API returns is one of these, as {@code application/problem+json}.
 * {@code field} names the offending input field when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {

    public static Problem of(int status, String title, String detail, String field) {
        return new Problem("about:blank", title, status, detail, field);
    }
}
