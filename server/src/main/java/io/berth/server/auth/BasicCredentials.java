package io.berth.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** User and password of an {@code Authorization: Basic} header, parsed as Go's {@code Request.BasicAuth}. */
record BasicCredentials(String user, byte[] password) {

    static Optional<BasicCredentials> parse(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                byte[] password = new byte[decoded.length - i - 1];
                System.arraycopy(decoded, i + 1, password, 0, password.length);
                return Optional.of(new BasicCredentials(new String(decoded, 0, i, StandardCharsets.UTF_8), password));
            }
        }
        return Optional.empty();
    }
}
