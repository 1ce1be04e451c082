package io.berth.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth.token}: Docker token authentication, as distribution's token controller. Requests
 * carry {@code Authorization: Bearer <JWT>} issued by a token server that the client finds through
 * the challenge: {@code Bearer realm="...",service="...",scope="repository:NAME:pull,push"}, with
 * {@code error="invalid_token"} for a token that did not verify and
 * {@code error="insufficient_scope"} for one that lacks an access (both answered 401).
 */
public final class TokenAccessController implements AccessController {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAccessController.class);
    private static final int VERIFIED_CACHE_LIMIT = 4096;

    private final String realm;
    private final String service;
    private final String autoRedirectPath; // null unless autoredirect
    private final TokenVerifier verifier;
    /**
     * Tokens that passed, by their text: a client sends the same token with every request of a
     * push or pull, and checking a signature and certificate chain costs far more than the request.
     * Only exp can make a verified token invalid later, so a hit re-checks exp.
     */
    private final Map<String, TokenVerifier.Verified> verified = new ConcurrentHashMap<>();

    public record Options(String realm, String service, String issuer, String rootCertBundle, String jwks,
                          boolean autoRedirect, String autoRedirectPath, Set<JWSAlgorithm> algorithms) {
    }

    public TokenAccessController(Options o) {
        this(o, Clock.systemUTC());
    }

    TokenAccessController(Options o, Clock clock) {
        this.realm = o.realm();
        this.service = o.service();
        this.autoRedirectPath = o.autoRedirect() ? o.autoRedirectPath() : null;
        this.verifier = new TokenVerifier(o.issuer(), o.service(), TokenKeys.load(o.rootCertBundle(), o.jwks()),
                o.algorithms().isEmpty() ? TokenVerifier.DEFAULT_ALGORITHMS : o.algorithms(), clock);
    }

    @Override
    public String kind() {
        return "token";
    }

    @Override
    public Decision authorize(AuthRequest request, List<Access> required) {
        String h = request.authorization();
        int space = h == null ? -1 : h.indexOf(' ');
        if (space < 0 || space == h.length() - 1 || !h.substring(0, space).equalsIgnoreCase("bearer")) {
            return challenge(request, required, null, "authorization token required");
        }
        String raw = h.substring(space + 1);
        TokenVerifier.Verified token = verified.get(raw);
        if (token == null || !verifier.unexpired(token)) {
            try {
                token = verifier.verify(raw);
            } catch (TokenVerifier.InvalidTokenException e) {
                verified.remove(raw);
                LOG.info("refused token: {}", e.getMessage());
                return challenge(request, required, "invalid_token", e.getMessage());
            }
            if (verified.size() >= VERIFIED_CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(raw, token);
        }
        for (Access a : required) {
            if (!token.allows(a)) {
                return challenge(request, required, "insufficient_scope",
                        "token for \"" + token.subject() + "\" lacks " + a.scope());
            }
        }
        return new Decision.Granted(token.subject());
    }

    private Decision challenge(AuthRequest request, List<Access> required, String error, String reason) {
        String r = autoRedirectPath == null ? realm : "https://" + request.host() + autoRedirectPath;
        StringBuilder c = new StringBuilder("Bearer realm=").append(Challenges.quote(r))
                .append(",service=").append(Challenges.quote(service));
        String scope = scope(required);
        if (!scope.isEmpty()) {
            c.append(",scope=").append(Challenges.quote(scope));
        }
        if (error != null) {
            c.append(",error=").append(Challenges.quote(error));
        }
        return new Decision.Challenged(c.toString(), reason);
    }

    /** {@code repository:a:pull,push repository:b:pull}: actions grouped per resource, in request order. */
    static String scope(List<Access> required) {
        Map<String, Set<String>> byResource = new LinkedHashMap<>();
        for (Access a : required) {
            byResource.computeIfAbsent(a.type() + ":" + a.name(), k -> new LinkedHashSet<>()).add(a.action());
        }
        return byResource.entrySet().stream().map(e -> e.getKey() + ":" + String.join(",", e.getValue()))
                .collect(Collectors.joining(" "));
    }
}
