package io.berth.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operations sections of config.yml, read as distribution reads them. */
class OpsConfigTest {
    static final String BASE = "version: 0.1\nstorage:\n  inmemory: {}\n";

    static RegistryConfig parse(String yaml) {
        return RegistryConfig.parse(BASE + yaml, Map.of());
    }

    static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofNanos(300_000), GoDuration.parse("300us"));
        assertEquals(Duration.ofNanos(300_000), GoDuration.parse("300µs"));
        assertEquals(Duration.ofNanos(10), GoDuration.parse("10"), "a bare number counts nanoseconds");
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10 seconds"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1d"));
        assertEquals("168h0m0s", GoDuration.format(Duration.ofHours(168)));
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("250ms", GoDuration.format(Duration.ofMillis(250)));
        assertEquals("http.draintimeout: invalid duration \"soon\" (e.g. 500ms, 10s, 1h30m)",
                error("http:\n  draintimeout: soon\n"));
    }

    /** distribution's documented notifications example. */
    @Test
    void notificationsAsDistributionDocumentsThem() {
        RegistryConfig c = parse("""
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: alistener
                      disabled: false
                      url: https://my.listener.com/event
                      headers:
                        Authorization: [Bearer <your token>]
                      timeout: 1s
                      threshold: 10
                      backoff: 1s
                      ignoredmediatypes:
                        - application/octet-stream
                      ignore:
                        mediatypes:
                           - application/octet-stream
                        actions:
                           - pull
                    - name: defaults
                      url: http://127.0.0.1:9000/hook
                """);
        NotificationsConfig n = c.notifications();
        assertTrue(n.includeReferences());
        NotificationsConfig.Endpoint e = n.endpoints().get(0);
        assertEquals("alistener", e.name());
        assertEquals(URI.create("https://my.listener.com/event"), e.url());
        assertEquals(List.of("Bearer <your token>"), e.headers().get("Authorization"));
        assertEquals(Set.of("application/octet-stream"), e.ignoredMediaTypes());
        assertEquals(Set.of("pull"), e.ignoredActions());
        NotificationsConfig.Endpoint d = n.endpoints().get(1);
        assertEquals(Duration.ofSeconds(1), d.timeout());
        assertEquals(10, d.threshold());
        assertEquals(Duration.ofSeconds(1), d.backoff());
        assertFalse(d.disabled());
    }

    @Test
    void notificationMistakesStopStartUp() {
        assertEquals("notifications.endpoints[0].urll: unknown configuration key",
                error("notifications:\n  endpoints:\n    - name: a\n      urll: http://x\n"));
        assertTrue(error("notifications:\n  endpoints:\n    - name: a\n      url: ftp://x\n")
                .startsWith("notifications.endpoints[0].url: expected an http:// or https:// URL"));
        assertEquals("notifications.endpoints[0].name: missing; every endpoint needs a name",
                error("notifications:\n  endpoints:\n    - url: http://x\n"));
        assertTrue(error("notifications:\n  endpoints:\n    - name: a\n      url: http://x\n      ignore:\n"
                + "        actions: [pul]\n").contains("unknown action \"pul\""));
        assertEquals("notifications.endpointz: unknown configuration key", error("notifications:\n  endpointz: []\n"));
    }

    @Test
    void healthAsDistributionDocumentsIt() {
        HealthConfig h = parse("""
                health:
                  storagedriver:
                    enabled: true
                    interval: 10s
                    threshold: 3
                  file:
                    - file: /path/to/checked/file
                      interval: 10s
                  http:
                    - uri: http://server.to.check/must/return/200
                      headers:
                        Authorization: [Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==]
                      statuscode: 200
                      timeout: 3s
                      interval: 10s
                      threshold: 3
                  tcp:
                    - addr: redis-server.domain.com:6379
                      timeout: 3s
                      interval: 10s
                      threshold: 3
                """).health();
        assertTrue(h.storageDriver().enabled());
        assertEquals(3, h.storageDriver().threshold());
        assertEquals("/path/to/checked/file", h.files().get(0).file());
        assertEquals(200, h.http().get(0).statusCode());
        assertEquals(Duration.ofSeconds(3), h.http().get(0).timeout());
        assertEquals("redis-server.domain.com:6379", h.tcp().get(0).addr());
        HealthConfig dflt = parse("health:\n  storagedriver:\n    enabled: true\n  file:\n    - file: /x\n").health();
        assertEquals(Duration.ofSeconds(10), dflt.storageDriver().interval());
        assertEquals(0, dflt.storageDriver().threshold());
        assertFalse(parse("").health().any());
        assertEquals("health.http[0].statuscod: unknown configuration key",
                error("health:\n  http:\n    - uri: http://x/\n      statuscod: 200\n"));
    }

    @Test
    void debugDrainPurgingAndLogging() {
        RegistryConfig none = parse("");
        assertNull(none.debug().addr());
        assertFalse(none.debug().prometheus());
        assertEquals("/metrics", none.debug().prometheusPath());
        assertEquals(RegistryConfig.DEFAULT_DRAIN, none.drainTimeout(), "Berth drains by default");
        assertEquals(new UploadPurgeConfig(true, Duration.ofHours(168), Duration.ofHours(24), false),
                none.uploadPurging(), "distribution's defaults");
        assertEquals("text", none.logFormatter());
        assertTrue(none.accessLogEnabled());

        RegistryConfig c = parse("""
                log:
                  level: warn
                  formatter: json
                  fields:
                    service: registry
                    environment: staging
                  accesslog:
                    disabled: true
                http:
                  draintimeout: 0
                  debug:
                    addr: localhost:5001
                    prometheus:
                      enabled: true
                      path: /prom
                """);
        assertEquals(new UploadPurgeConfig(false, Duration.ofHours(2), Duration.ofMinutes(30), true),
                RegistryConfig.parse("version: 0.1\nstorage:\n  inmemory: {}\n  maintenance:\n    uploadpurging:\n"
                        + "      enabled: false\n      age: 2h\n      interval: 30m\n      dryrun: true\n", Map.of())
                        .uploadPurging());
        assertEquals(new RegistryConfig.Addr("localhost", 5001), c.debug().addr());
        assertEquals("/prom", c.debug().prometheusPath());
        assertEquals(Duration.ZERO, c.drainTimeout(), "an explicit 0 stops at once, as distribution");
        assertEquals("json", c.logFormatter());
        assertEquals(Map.of("service", "registry", "environment", "staging"), c.logFields());
        assertFalse(c.accessLogEnabled());
        assertTrue(error("log:\n  formatter: xml\n").startsWith("log.formatter: unsupported logging formatter \"xml\""));
        assertTrue(error("http:\n  debug:\n    addr: nowhere\n").startsWith("http.debug.addr: invalid address"));
        assertTrue(error("http:\n  debug:\n    prometheus:\n      path: /debug/health\n")
                .startsWith("http.debug.prometheus.path"));
    }

    @Test
    void environmentOverridesReachTheNewKeys() {
        RegistryConfig c = RegistryConfig.parse(BASE, Map.of("REGISTRY_HTTP_DEBUG_ADDR", ":5001",
                "REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", "true", "REGISTRY_LOG_FORMATTER", "json",
                "REGISTRY_HTTP_DRAINTIMEOUT", "5s"));
        assertEquals(5001, c.debug().addr().port());
        assertTrue(c.debug().prometheus());
        assertEquals("json", c.logFormatter());
        assertEquals(Duration.ofSeconds(5), c.drainTimeout());
    }
}
