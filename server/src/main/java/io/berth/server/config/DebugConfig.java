package io.berth.server.config;

/**
 * {@code http.debug}: the second listener for {@code /debug/health} and, with
 * {@code prometheus.enabled}, the metrics at {@code prometheus.path} (default {@code /metrics}).
 * {@code addr} is null when no debug server is configured.
 */
public record DebugConfig(RegistryConfig.Addr addr, boolean prometheus, String prometheusPath) {
}
