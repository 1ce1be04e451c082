package io.berth.server.tls;

import io.berth.server.config.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code http.tls.ciphersuites}: the Go names distribution accepts, mapped to JSSE's. Go's names
 * are the IANA names JSSE uses too, except its short aliases for the CHACHA20 suites. As in Go,
 * the list only restricts TLS 1.0-1.2: the TLS 1.3 suites stay enabled.
 */
public final class CipherSuites {
    /** distribution's defaults when the key is absent. */
    static final List<String> DEFAULTS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    private static final Set<String> GO_NAMES = Set.of(
            "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    private static final Map<String, String> GO_ALIASES = Map.of(
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    private CipherSuites() {
    }

    /**
     * The JSSE suites to enable for the configured Go names (distribution's defaults when none):
     * an unknown name, or one this JVM cannot offer, stops start-up with its name.
     */
    public static List<String> resolve(List<String> goNames, String[] supportedByJvm) {
        Set<String> supported = new LinkedHashSet<>(Arrays.asList(supportedByJvm));
        Set<String> out = new LinkedHashSet<>();
        if (goNames.isEmpty()) {
            DEFAULTS.stream().filter(supported::contains).forEach(out::add);
        }
        for (String name : goNames) {
            String jsse = GO_ALIASES.getOrDefault(name, name);
            if (!GO_NAMES.contains(jsse)) {
                throw new ConfigException("http.tls.ciphersuites: unknown TLS cipher suite '" + name + "'");
            }
            if (!supported.contains(jsse)) {
                throw new ConfigException("http.tls.ciphersuites: cipher suite '" + name
                        + "' is not available in this Java runtime (it is disabled as insecure or not implemented)");
            }
            if (!TLS13.contains(jsse)) {
                out.add(jsse);
            }
        }
        TLS13.stream().filter(supported::contains).forEach(out::add);
        return new ArrayList<>(out);
    }
}
