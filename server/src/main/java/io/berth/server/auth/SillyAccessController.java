package io.berth.server.auth;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code auth.silly}, for development only, as distribution's: any non-empty Authorization header
 * passes; without one, a Bearer challenge naming each required access as its own scope.
 */
public final class SillyAccessController implements AccessController {
    private final String realm;
    private final String service;

    public SillyAccessController(String realm, String service) {
        this.realm = realm;
        this.service = service;
    }

    @Override
    public String kind() {
        return "silly";
    }

    @Override
    public Decision authorize(AuthRequest request, List<Access> required) {
        if (request.authorization() != null && !request.authorization().isEmpty()) {
            return new Decision.Granted("silly");
        }
        String challenge = "Bearer realm=" + Challenges.quote(realm) + ",service=" + Challenges.quote(service);
        if (!required.isEmpty()) {
            challenge += ",scope=" + Challenges.quote(required.stream().map(Access::scope).collect(Collectors.joining(" ")));
        }
        return new Decision.Challenged(challenge, "no Authorization header");
    }
}
