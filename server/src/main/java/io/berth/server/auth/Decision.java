package io.berth.server.auth;

/** An access controller's answer: let the request through as a user, or challenge it with a 401. */
public sealed interface Decision {

    /** Allowed; {@code user} names who (for logs), never null. */
    record Granted(String user) implements Decision {
    }

    /** Refused with a {@code WWW-Authenticate} challenge; {@code reason} is for the log only. */
    record Challenged(String challenge, String reason) implements Decision {
    }
}
