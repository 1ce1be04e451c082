package io.berth.server.http;

import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The spec's JSON error answer for handlers in front of {@link ApiHandler} (authentication),
 * with the API's handling of an unread request body.
 */
public final class ApiErrors {
    private ApiErrors() {
    }

    public static void send(Request request, Response response, Callback callback, int status, String code,
                            String message, Object detail) {
        Exchange ex = new Exchange(request, response, callback, null);
        try {
            ex.sendError(status, code, message, detail);
        } catch (IOException | RuntimeException e) {
            ex.fail(e);
        }
    }
}
