package org.agentmesh.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach the routes (an illegal URI, a bad header) with a problem body too, so a
 * client gets the same kind of error everywhere. Configured as {@code pekko.http.server.parsing.error-handler}.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.debug("unparseable request: {}", info.formatPretty());
        // a space inside the request target makes the parser read a bogus HTTP version: that is a client error
        int code = status.intValue() == 505 ? 400 : status.intValue();
        String detail = code == status.intValue() ? info.summary() : "malformed request line (whitespace in the target?) or unsupported HTTP version";
        Problem p = Problem.of(code, code == 400 ? "Bad Request" : status.reason(), detail, null);
        return HttpResponse.create().withStatus(code).withEntity(HttpEntities.create(
                ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8)), Json.write(p)));
    }
}
