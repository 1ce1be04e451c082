package io.berth.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import io.berth.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the access controller that config.yml's {@code auth} section names (htpasswd, token, silly). */
public final class AccessControllers {
    private static final Logger LOG = LoggerFactory.getLogger(AccessControllers.class);
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "htpasswd", Set.of("realm", "path"),
            "silly", Set.of("realm", "service"),
            "token", Set.of("realm", "service", "issuer", "rootcertbundle", "jwks", "autoredirect",
                    "autoredirectpath", "signingalgorithms"));

    private AccessControllers() {
    }

    /** Null when the section is absent or empty: the registry is open, as distribution without auth. */
    public static AccessController fromConfig(Map<String, Object> auth) {
        if (auth == null || auth.isEmpty()) {
            return null;
        }
        if (auth.size() > 1) {
            throw new ConfigException("auth: exactly one access controller may be configured, found " + auth.keySet());
        }
        Map.Entry<String, Object> e = auth.entrySet().iterator().next();
        String kind = e.getKey();
        if (!OPTIONS.containsKey(kind)) {
            throw new ConfigException("auth." + kind + ": unknown access controller (htpasswd, token, silly)");
        }
        Map<String, Object> o = options(kind, e.getValue());
        for (String k : o.keySet()) {
            if (!OPTIONS.get(kind).contains(k)) {
                LOG.warn("auth.{}.{}: unknown option, ignored", kind, k);
            }
        }
        return switch (kind) {
            case "htpasswd" -> {
                String path = required(o, kind, "path", "htpasswd");
                try {
                    yield new HtpasswdAccessController(required(o, kind, "realm", "htpasswd"), Path.of(path));
                } catch (IOException ex) {
                    throw new ConfigException("auth.htpasswd.path: " + ex.getMessage());
                }
            }
            case "silly" -> new SillyAccessController(required(o, kind, "realm", "silly"),
                    required(o, kind, "service", "silly"));
            default -> new TokenAccessController(new TokenAccessController.Options(
                    required(o, kind, "realm", "token"), required(o, kind, "service", "token"),
                    required(o, kind, "issuer", "token"), string(o, "rootcertbundle"), string(o, "jwks"),
                    bool(o, "autoredirect"), string(o, "autoredirectpath").isEmpty() ? "/auth/token"
                            : string(o, "autoredirectpath"), algorithms(o.get("signingalgorithms"))));
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> options(String kind, Object v) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new ConfigException("auth." + kind + ": expected a mapping of options");
        }
        return (Map<String, Object>) v;
    }

    private static String required(Map<String, Object> o, String kind, String key, String what) {
        String s = string(o, key);
        if (s.isEmpty()) {
            throw new ConfigException("auth." + kind + "." + key + ": \"" + key + "\" must be set for " + what
                    + " access controller");
        }
        return s;
    }

    private static String string(Map<String, Object> o, String key) {
        Object v = o.get(key);
        return v == null ? "" : v.toString();
    }

    private static boolean bool(Map<String, Object> o, String key) {
        String s = string(o, key).toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("false")) {
            return false;
        }
        if (s.equals("true")) {
            return true;
        }
        throw new ConfigException("auth.token." + key + ": expected true or false, got \"" + s + "\"");
    }

    private static Set<JWSAlgorithm> algorithms(Object v) {
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof List<?> list)) {
            throw new ConfigException("auth.token.signingalgorithms: must be a list of signing algorithms");
        }
        for (Object a : list) {
            JWSAlgorithm alg = JWSAlgorithm.parse(String.valueOf(a));
            if (!TokenVerifier.DEFAULT_ALGORITHMS.contains(alg)) {
                throw new ConfigException("auth.token.signingalgorithms: unsupported signing algorithm " + a
                        + " (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)");
            }
            out.add(alg);
        }
        return out;
    }
}
