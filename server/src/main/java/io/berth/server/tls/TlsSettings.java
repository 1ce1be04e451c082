package io.berth.server.tls;

import io.berth.server.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code http.tls}: certificate and key files (PEM), client CA files for mutual TLS (a client
 * certificate is then required), the minimum TLS version and the TLS 1.2 cipher suites; and
 * whether HTTP/2 is offered ({@code http.http2.disabled}). Let's Encrypt is not supported.
 */
public record TlsSettings(String certificate, String key, List<String> clientCas, String minimumTls,
                          List<String> cipherSuites, boolean http2) {
    private static final Set<String> KEYS = Set.of("certificate", "key", "clientcas", "minimumtls", "ciphersuites",
            "letsencrypt");

    /** JSSE protocol names at and above a distribution {@code minimumtls} value. */
    static List<String> protocolsFrom(String minimumTls) {
        List<String> all = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
        int from = switch (minimumTls) {
            case "tls1.0" -> 0;
            case "tls1.1" -> 1;
            case "tls1.2" -> 2;
            case "tls1.3" -> 3;
            default -> throw new ConfigException("http.tls.minimumtls: unknown minimum TLS level '" + minimumTls
                    + "' (tls1.0, tls1.1, tls1.2, tls1.3)");
        };
        return all.subList(from, all.size());
    }

    /** Null when TLS is off (no {@code http.tls.certificate}). */
    public static TlsSettings fromConfig(Map<String, Object> tls, Map<String, Object> http2) {
        if (tls == null || tls.isEmpty()) {
            return null;
        }
        Object le = tls.get("letsencrypt");
        if (le instanceof Map<?, ?> m && !m.isEmpty() || le instanceof String s && !s.isBlank()) {
            throw new ConfigException("http.tls.letsencrypt: Let's Encrypt is not supported by Berth; obtain a "
                    + "certificate (certbot, your CA) and set http.tls.certificate and http.tls.key instead");
        }
        for (String k : tls.keySet()) {
            if (!KEYS.contains(k)) {
                throw new ConfigException("http.tls." + k + ": unknown configuration key");
            }
        }
        String cert = string(tls.get("certificate"));
        String key = string(tls.get("key"));
        if (cert.isEmpty()) {
            if (!key.isEmpty() || tls.get("clientcas") != null) {
                throw new ConfigException("http.tls.certificate: must be set to serve TLS (http.tls has other keys)");
            }
            return null;
        }
        if (key.isEmpty()) {
            throw new ConfigException("http.tls.key: must be set with http.tls.certificate");
        }
        String min = string(tls.get("minimumtls")).toLowerCase(Locale.ROOT);
        min = min.isEmpty() ? "tls1.2" : min;
        protocolsFrom(min);
        boolean h2 = http2 == null || !"true".equalsIgnoreCase(string(http2.get("disabled")));
        return new TlsSettings(cert, key, list("http.tls.clientcas", tls.get("clientcas")), min,
                list("http.tls.ciphersuites", tls.get("ciphersuites")), h2);
    }

    private static String string(Object o) {
        return o == null ? "" : o.toString().trim();
    }

    private static List<String> list(String key, Object o) {
        List<String> out = new ArrayList<>();
        if (o == null) {
            return out;
        }
        if (o instanceof List<?> l) {
            l.forEach(x -> out.add(string(x)));
        } else if (o instanceof String s && !s.isBlank()) {
            out.add(s.trim()); // one value from a REGISTRY_HTTP_TLS_* variable
        } else {
            throw new ConfigException(key + ": must be a list");
        }
        return out;
    }
}
