package io.berth.server.auth;

/**
 * What an access controller looks at: the {@code Authorization} header (null when absent) and the
 * host the client addressed (for {@code autoredirect} realms).
 */
public record AuthRequest(String authorization, String host) {
}
