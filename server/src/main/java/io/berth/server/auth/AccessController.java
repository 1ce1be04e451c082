package io.berth.server.auth;

import java.io.IOException;
import java.util.List;

/**
 * distribution's {@code auth.AccessController}: decides whether a request may do everything in
 * {@code required} (empty for the base route, which needs authentication only). Throws when it
 * cannot decide (an unreadable htpasswd file): the request is then refused with a 500.
 */
public interface AccessController {
    Decision authorize(AuthRequest request, List<Access> required) throws IOException;

    /** {@code "htpasswd"}, {@code "token"}, {@code "silly"}: for the start-up log. */
    String kind();
}
