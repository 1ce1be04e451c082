package io.berth.server.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryConfigTest {
    static final Map<String, String> NO_ENV = Map.of();

    /** The config a distribution user typically writes. */
    static final String DISTRIBUTION_STYLE = """
            version: 0.1
            log:
              level: debug
            storage:
              filesystem:
                rootdirectory: /var/lib/registry
              delete:
                enabled: true
              maintenance:
                readonly:
                  enabled: true
            http:
              addr: 127.0.0.1:5001
              headers:
                X-Content-Type-Options: [nosniff]
            """;

    /**
     * distribution's cmd/registry/config-example.yml as the registry:2 image ships it
     * (/etc/docker/registry/config.yml): no auth section.
     */
    static final String REGISTRY_IMAGE_CONFIG = """
            version: 0.1
            log:
              fields:
                service: registry
            storage:
              cache:
                blobdescriptor: inmemory
              filesystem:
                rootdirectory: /var/lib/registry
            http:
              addr: :5000
              headers:
                X-Content-Type-Options: [nosniff]
            health:
              storagedriver:
                enabled: true
                interval: 10s
                threshold: 3
            """;

    /** distribution's current cmd/registry/config-example.yml, which configures htpasswd auth. */
    static final String DISTRIBUTION_EXAMPLE_WITH_AUTH = """
            version: 0.1
            log:
              fields:
                service: registry
            storage:
              cache:
                blobdescriptor: inmemory
              filesystem:
                rootdirectory: /var/lib/registry
              tag:
                concurrencylimit: 8
            http:
              addr: :5000
              headers:
                X-Content-Type-Options: [nosniff]
            auth:
              htpasswd:
                realm: basic-realm
                path: /etc/registry
            health:
              storagedriver:
                enabled: true
                interval: 10s
                threshold: 3
            """;

    /** distribution's cmd/registry/config-dev.yml (four-space indents and all). */
    static final String DISTRIBUTION_DEV = """
            version: 0.1
            log:
              level: debug
              fields:
                service: registry
                environment: development
            storage:
                delete:
                  enabled: true
                cache:
                    blobdescriptor: inmemory
                filesystem:
                    rootdirectory: /var/lib/registry
                maintenance:
                    uploadpurging:
                        enabled: false
                tag:
                  concurrencylimit: 8
            http:
                addr: :5000
                debug:
                    addr: :5001
                    prometheus:
                        enabled: true
                        path: /metrics
                headers:
                    X-Content-Type-Options: [nosniff]
            health:
              storagedriver:
                enabled: true
                interval: 10s
                threshold: 3
            """;

    static final String MINIMAL = """
            version: 0.1
            storage:
              filesystem:
                rootdirectory: /srv/registry
            """;

    static RegistryConfig parse(String yaml) {
        return RegistryConfig.parse(yaml, NO_ENV);
    }

    static ConfigException fails(String yaml) {
        return fails(yaml, NO_ENV);
    }

    static ConfigException fails(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> {
            RegistryConfig c = RegistryConfig.parse(yaml, env);
            // validation is eager, but read every value in case a getter is where it fails
            c.storageDriver();
            c.addr();
        });
    }

    static void assertMentions(ConfigException e, String key) {
        assertTrue(e.getMessage().contains(key), "message should name " + key + ": " + e.getMessage());
    }

    // ---- accepted configs ----

    @Test
    void distributionStyleConfig() {
        RegistryConfig c = parse(DISTRIBUTION_STYLE);
        assertEquals("debug", c.logLevel());
        assertEquals("filesystem", c.storageDriver());
        assertEquals("/var/lib/registry", c.filesystemRoot());
        assertEquals(Map.of("rootdirectory", "/var/lib/registry"), c.storageParameters());
        assertTrue(c.deleteEnabled());
        assertTrue(c.readOnly());
        assertEquals(new RegistryConfig.Addr("127.0.0.1", 5001), c.addr());
        assertEquals(Map.of("X-Content-Type-Options", List.of("nosniff")), c.headers());
        assertFalse(c.redirectDisabled());
        assertFalse(c.relativeUrls());
        assertEquals("", c.httpHost());
        assertEquals("", c.httpPrefix());
    }

    @Test
    void registryImageConfigIsAccepted() {
        RegistryConfig c = assertDoesNotThrow(() -> parse(REGISTRY_IMAGE_CONFIG));
        assertEquals("filesystem", c.storageDriver());
        assertEquals("/var/lib/registry", c.filesystemRoot());
        assertEquals(new RegistryConfig.Addr("", 5000), c.addr());
        assertEquals(Map.of("X-Content-Type-Options", List.of("nosniff")), c.headers());
        assertEquals("info", c.logLevel());
        assertFalse(c.deleteEnabled(), "distribution's default: deletes disabled");
        assertFalse(c.readOnly());
    }

    @Test
    void currentDistributionExampleIsAcceptedWithItsAuthSection() {
        RegistryConfig c = parse(DISTRIBUTION_EXAMPLE_WITH_AUTH);
        assertEquals(Map.of("htpasswd", Map.of("realm", "basic-realm", "path", "/etc/registry")), c.auth());
        assertEquals(Map.of(), c.tls());
    }

    @Test
    void distributionDevConfigIsAccepted() {
        RegistryConfig c = parse(DISTRIBUTION_DEV);
        assertEquals("debug", c.logLevel());
        assertTrue(c.deleteEnabled());
        assertFalse(c.readOnly());
        assertEquals(new RegistryConfig.Addr("", 5000), c.addr());
        assertEquals("/var/lib/registry", c.filesystemRoot());
    }

    @Test
    void distributionCacheConfigIsRefusedForProxy() {
        String cache = """
                version: 0.1
                storage:
                    cache:
                        blobdescriptor: redis
                    filesystem:
                        rootdirectory: /var/lib/registry-cache
                http:
                    addr: :5000
                    secret: asecretforlocaldevelopment
                redis:
                  addrs: [localhost:6379]
                notifications:
                    endpoints:
                        - name: local-8082
                          url: http://localhost:5003/callback
                          disabled: true
                proxy:
                  remoteurl: https://registry-1.docker.io
                """;
        assertTrue(fails(cache).getMessage().startsWith("proxy"));
    }

    @Test
    void minimalConfigDefaults() {
        RegistryConfig c = parse(MINIMAL);
        assertEquals("info", c.logLevel());
        assertEquals("/srv/registry", c.filesystemRoot());
        assertFalse(c.deleteEnabled());
        assertFalse(c.readOnly());
        assertEquals(new RegistryConfig.Addr("", 5000), c.addr(), "distribution listens on :5000 by default");
        assertEquals(Map.of(), c.headers());
    }

    @Test
    void versionMayBeQuoted() {
        assertDoesNotThrow(() -> parse(MINIMAL.replace("version: 0.1", "version: \"0.1\"")));
        assertDoesNotThrow(() -> parse(MINIMAL.replace("version: 0.1", "version: '0.1'")));
    }

    @Test
    void filesystemRootDefaultsToDistributions() {
        assertEquals("/var/lib/registry", parse("version: 0.1\nstorage:\n  filesystem:\n").filesystemRoot());
        assertEquals("/var/lib/registry", parse("version: 0.1\nstorage:\n  filesystem: {}\n").filesystemRoot());
        assertEquals("/var/lib/registry",
                parse("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: \"\"\n").filesystemRoot());
    }

    @Test
    void inmemoryDriver() {
        RegistryConfig c = parse("version: 0.1\nstorage:\n  inmemory:\n  delete:\n    enabled: true\n");
        assertEquals("inmemory", c.storageDriver());
        assertEquals(Map.of(), c.storageParameters());
        assertTrue(c.deleteEnabled());
    }

    @Test
    void storageParametersAreStrings() {
        RegistryConfig c = parse("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /x\n    maxthreads: 100\n");
        assertEquals(Map.of("rootdirectory", "/x", "maxthreads", "100"), c.storageParameters());
    }

    @Test
    void legacyTopLevelLoglevel() {
        assertEquals("warn", parse(MINIMAL + "loglevel: warn\n").logLevel());
        assertEquals("error", parse(MINIMAL + "log:\n  level: ERROR\n").logLevel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"error", "warn", "info", "debug"})
    void distributionLogLevels(String level) {
        assertEquals(level, parse(MINIMAL + "log:\n  level: " + level + "\n").logLevel());
    }

    @Test
    void httpOptions() {
        RegistryConfig c = parse("""
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: /srv/registry
                  redirect:
                    disable: true
                http:
                  addr: "[::1]:5443"
                  host: https://registry.example.com
                  prefix: /registry/
                  relativeurls: true
                  headers:
                    X-Multi: [a, b]
                    X-Single: one
                """);
        assertEquals(new RegistryConfig.Addr("::1", 5443), c.addr());
        assertEquals("https://registry.example.com", c.httpHost());
        assertEquals("/registry", c.httpPrefix());
        assertTrue(c.relativeUrls());
        assertTrue(c.redirectDisabled());
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("X-Multi", List.of("a", "b"));
        expected.put("X-Single", List.of("one"));
        assertEquals(expected, c.headers());
    }

    @Test
    void addrForms() {
        assertEquals(new RegistryConfig.Addr("0.0.0.0", 80), parse(MINIMAL + "http:\n  addr: 0.0.0.0:80\n").addr());
        assertEquals(new RegistryConfig.Addr("localhost", 5000),
                parse(MINIMAL + "http:\n  addr: localhost:5000\n").addr());
        assertEquals(new RegistryConfig.Addr("", 0), parse(MINIMAL + "http:\n  addr: \":0\"\n").addr());
    }

    @Test
    void validationManifestUrlsAreReadAsDistributionReadsThem() {
        String mcr = "https://mcr.microsoft.com/v2/x/blobs/sha256:00";
        // none given: validation on, nothing allowed
        assertNotNull(parse(MINIMAL).layerUrls().refusal(mcr));
        RegistryConfig allow = parse(MINIMAL + """
                validation:
                  manifests:
                    urls:
                      allow:
                        - ^https://mcr\\.microsoft\\.com/
                      deny:
                        - /private/
                """);
        assertNull(allow.layerUrls().refusal(mcr));
        assertNotNull(allow.layerUrls().refusal("https://example.com/x"));
        assertNotNull(allow.layerUrls().refusal("https://mcr.microsoft.com/private/x"));
        assertNull(parse(MINIMAL + "validation:\n  disabled: true\n").layerUrls().refusal(mcr));
        ConfigException bad = assertThrows(ConfigException.class, () -> parse(MINIMAL + """
                validation:
                  manifests:
                    urls:
                      deny: ["(unclosed"]
                """));
        assertTrue(bad.getMessage().contains("validation.manifests.urls.deny"), bad.getMessage());
        assertThrows(ConfigException.class, () -> parse(MINIMAL + "validation:\n  manifests:\n    urls:\n      allow: {a: 1}\n"));
        assertThrows(ConfigException.class, () -> parse(MINIMAL + "validation:\n  manifests:\n    typo: 1\n"));
    }

    @Test
    void knownButIgnoredSectionsDoNotFail() {
        String extra = """
                health:
                  storagedriver:
                    enabled: true
                    interval: 10s
                    threshold: 3
                  http:
                    - uri: http://server/healthz
                notifications:
                  events:
                    includereferences: true
                redis:
                  addr: localhost:6379
                validation:
                  disabled: true
                catalog:
                  maxentries: 500
                tags:
                  maxtags: 100
                policy:
                  repository:
                    classes: [image]
                log:
                  level: info
                  formatter: json
                  fields:
                    service: registry
                  accesslog:
                    disabled: true
                  reportcaller: true
                """;
        String yaml = MINIMAL + extra + """
                  hooks:
                    - type: mail
                """;
        RegistryConfig c = assertDoesNotThrow(() -> parse(yaml));
        assertEquals("filesystem", c.storageDriver());
        assertDoesNotThrow(() -> parse(MINIMAL.replace("storage:\n", """
                storage:
                  maintenance:
                    uploadpurging:
                      enabled: true
                      age: 168h
                      interval: 24h
                      dryrun: false
                  cache:
                    blobdescriptor: inmemory
                    blobdescriptorsize: 10000
                  tag:
                    concurrencylimit: 8
                """)));
    }

    // ---- environment ----

    @Test
    void envOverridesYaml() {
        Map<String, String> env = Map.of(
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/data/from-env",
                "REGISTRY_HTTP_ADDR", ":6000",
                "REGISTRY_STORAGE_DELETE_ENABLED", "true",
                "REGISTRY_LOG_LEVEL", "warn",
                "PATH", "/usr/bin",
                "REGISTRYX_HTTP_ADDR", ":1");
        RegistryConfig c = RegistryConfig.parse(REGISTRY_IMAGE_CONFIG, env);
        assertEquals("/data/from-env", c.filesystemRoot());
        assertEquals(new RegistryConfig.Addr("", 6000), c.addr());
        assertTrue(c.deleteEnabled());
        assertEquals("warn", c.logLevel());
        assertEquals(Map.of("X-Content-Type-Options", List.of("nosniff")), c.headers(), "untouched keys stay");
    }

    @Test
    void envCanDisable() {
        RegistryConfig c = RegistryConfig.parse(DISTRIBUTION_STYLE,
                Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "false", "REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED", "false"));
        assertFalse(c.deleteEnabled());
        assertFalse(c.readOnly());
    }

    @Test
    void envStorageSwitchesDriver() {
        RegistryConfig c = RegistryConfig.parse(DISTRIBUTION_STYLE, Map.of("REGISTRY_STORAGE", "inmemory"));
        assertEquals("inmemory", c.storageDriver());
        assertEquals(Map.of(), c.storageParameters());
        // Berth keeps the file's storage options (distribution replaces the whole storage section)
        assertTrue(c.deleteEnabled());
        assertTrue(c.readOnly());
    }

    @Test
    void envStorageThenDriverParameter() {
        RegistryConfig c = RegistryConfig.parse("version: 0.1\nstorage:\n  inmemory:\n", Map.of(
                "REGISTRY_STORAGE", "filesystem",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/srv/env"));
        assertEquals("filesystem", c.storageDriver());
        assertEquals("/srv/env", c.filesystemRoot());
    }

    @Test
    void envParameterForAnotherDriverMakesTwoDrivers() {
        ConfigException e = fails("version: 0.1\nstorage:\n  inmemory:\n",
                Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/srv/env"));
        assertMentions(e, "storage");
    }

    @Test
    void envAloneCanConfigureStorage() {
        RegistryConfig c = RegistryConfig.parse("version: 0.1\n", Map.of("REGISTRY_STORAGE", "inmemory"));
        assertEquals("inmemory", c.storageDriver());
        c = RegistryConfig.parse("version: 0.1\n",
                Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/srv/only-env"));
        assertEquals("filesystem", c.storageDriver());
        assertEquals("/srv/only-env", c.filesystemRoot());
    }

    @Test
    void envUnknownToDistributionIsIgnored() {
        // a Kubernetes service named "registry" injects these into every pod in its namespace
        Map<String, String> env = Map.of(
                "REGISTRY_PORT", "tcp://10.96.0.12:5000",
                "REGISTRY_PORT_5000_TCP", "tcp://10.96.0.12:5000",
                "REGISTRY_PORT_5000_TCP_ADDR", "10.96.0.12",
                "REGISTRY_SERVICE_HOST", "10.96.0.12",
                "REGISTRY_SERVICE_PORT", "5000",
                "REGISTRY_HTTP_NOSUCHKEY", "x");
        RegistryConfig c = assertDoesNotThrow(() -> RegistryConfig.parse(MINIMAL, env));
        assertEquals(new RegistryConfig.Addr("", 5000), c.addr());
        assertDoesNotThrow(() -> RegistryConfig.defaults(env));
    }

    @Test
    void envSetsAuthAndTlsKeys() {
        RegistryConfig c = RegistryConfig.parse(MINIMAL, Map.of("REGISTRY_AUTH_HTPASSWD_REALM", "basic",
                "REGISTRY_AUTH_HTPASSWD_PATH", "/auth/htpasswd", "REGISTRY_HTTP_TLS_CERTIFICATE", "/c.pem",
                "REGISTRY_HTTP_TLS_KEY", "/k.pem"));
        assertEquals(Map.of("htpasswd", Map.of("realm", "basic", "path", "/auth/htpasswd")), c.auth());
        assertEquals(Map.of("certificate", "/c.pem", "key", "/k.pem"), c.tls());
    }

    @Test
    void envInvalidBooleanNamesKey() {
        assertMentions(fails(MINIMAL, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "maybe")), "storage.delete.enabled");
    }

    @Test
    void envInvalidAddrNamesKey() {
        assertMentions(fails(MINIMAL, Map.of("REGISTRY_HTTP_ADDR", "nonsense")), "http.addr");
    }

    // ---- defaults ----

    @Test
    void defaults() {
        RegistryConfig c = RegistryConfig.defaults(NO_ENV);
        assertEquals("filesystem", c.storageDriver());
        assertEquals("data", c.filesystemRoot());
        assertEquals(new RegistryConfig.Addr("", 5000), c.addr());
        assertTrue(c.deleteEnabled());
        assertFalse(c.readOnly());
        assertEquals("info", c.logLevel());
        assertEquals(Map.of(), c.headers());
    }

    @Test
    void defaultsTakeEnv() {
        RegistryConfig c = RegistryConfig.defaults(Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:7000",
                "REGISTRY_STORAGE", "inmemory"));
        assertEquals(new RegistryConfig.Addr("127.0.0.1", 7000), c.addr());
        assertEquals("inmemory", c.storageDriver());
        assertTrue(c.deleteEnabled());
        c = RegistryConfig.defaults(Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/tmp/x",
                "REGISTRY_STORAGE_DELETE_ENABLED", "false"));
        assertEquals("/tmp/x", c.filesystemRoot());
        assertFalse(c.deleteEnabled());
        assertThrows(ConfigException.class,
                () -> RegistryConfig.defaults(Map.of("REGISTRY_LOG_LEVEL", "loud")));
    }

    // ---- files ----

    @Test
    void loadFromFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("config.yml");
        Files.writeString(f, DISTRIBUTION_STYLE, StandardCharsets.UTF_8);
        RegistryConfig c = RegistryConfig.load(f, Map.of("REGISTRY_HTTP_ADDR", ":5002"));
        assertEquals("/var/lib/registry", c.filesystemRoot());
        assertEquals(new RegistryConfig.Addr("", 5002), c.addr());
        assertTrue(c.deleteEnabled());
    }

    @Test
    void loadErrors(@TempDir Path dir) throws IOException {
        assertThrows(ConfigException.class, () -> RegistryConfig.load(dir.resolve("missing.yml"), NO_ENV));
        Path empty = Files.writeString(dir.resolve("empty.yml"), "");
        assertMentions(assertThrows(ConfigException.class, () -> RegistryConfig.load(empty, NO_ENV)), "version");
        Path list = Files.writeString(dir.resolve("list.yml"), "- version: 0.1\n");
        assertThrows(ConfigException.class, () -> RegistryConfig.load(list, NO_ENV));
        Path bad = Files.writeString(dir.resolve("bad.yml"), "version: 0.1\nstorage: [\n");
        assertThrows(ConfigException.class, () -> RegistryConfig.load(bad, NO_ENV));
    }

    @Test
    void invalidYaml() {
        assertThrows(ConfigException.class, () -> parse("version: 0.1\nstorage: {filesystem: \n"));
        assertThrows(ConfigException.class, () -> parse("version: 0.1\n  storage: x\n y: z\n"));
    }

    // ---- errors name the key ----

    @Test
    void unknownTopLevelKey() {
        ConfigException e = fails(MINIMAL + "storge:\n  filesystem:\n    rootdirectory: /x\n");
        assertTrue(e.getMessage().startsWith("storge"), e.getMessage());
        assertMentions(e, "unknown");
    }

    @Test
    void unknownNestedKey() {
        ConfigException e = fails(MINIMAL + "  delete:\n    enabeld: true\n");
        assertMentions(e, "storage.delete.enabeld");
        assertMentions(fails(MINIMAL + "http:\n  adr: :5000\n"), "http.adr");
        assertMentions(fails(MINIMAL + "log:\n  levle: debug\n"), "log.levle");
        assertMentions(fails(MINIMAL + "  maintenance:\n    readonly:\n      enable: true\n"),
                "storage.maintenance.readonly.enable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "1", "\"\"", "[true]", "{x: y}", "truee"})
    void invalidBoolean(String value) {
        assertMentions(fails(MINIMAL + "  delete:\n    enabled: " + value + "\n"), "storage.delete.enabled");
        assertMentions(fails(MINIMAL + "  maintenance:\n    readonly:\n      enabled: " + value + "\n"),
                "storage.maintenance.readonly.enabled");
    }

    @Test
    void booleanSpellings() {
        assertTrue(parse(MINIMAL + "  delete:\n    enabled: True\n").deleteEnabled());
        assertTrue(parse(MINIMAL + "  delete:\n    enabled: TRUE\n").deleteEnabled());
        assertFalse(parse(MINIMAL + "  delete:\n    enabled: false\n").deleteEnabled());
        assertFalse(parse(MINIMAL + "  delete:\n").deleteEnabled());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "5000", "\":\"", "\":abc\"", "\":70000\"", "\":-1\"", "\"host:port\"",
        "\"localhost:5000x\""})
    void invalidAddr(String addr) {
        ConfigException e = fails(MINIMAL + "http:\n  addr: " + addr + "\n");
        assertMentions(e, "http.addr");
    }

    @Test
    void missingVersion() {
        ConfigException e = fails(MINIMAL.replace("version: 0.1\n", ""));
        assertTrue(e.getMessage().startsWith("version"), e.getMessage());
        assertMentions(fails(""), "version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.2", "1", "1.0", "\"0.1.0\"", "\"\"", "v0.1"})
    void wrongVersion(String version) {
        ConfigException e = fails(MINIMAL.replace("version: 0.1", "version: " + version));
        assertTrue(e.getMessage().startsWith("version"), e.getMessage());
    }

    @Test
    void twoStorageDrivers() {
        ConfigException e = fails(MINIMAL + "  inmemory:\n");
        assertMentions(e, "storage");
        assertMentions(e, "exactly one");
        assertMentions(e, "filesystem");
        assertMentions(e, "inmemory");
    }

    @Test
    void noStorageDriver() {
        assertMentions(fails("version: 0.1\n"), "storage");
        assertMentions(fails("version: 0.1\nstorage:\n  delete:\n    enabled: true\n"), "storage");
        assertMentions(fails("version: 0.1\nstorage:\n  cache:\n    blobdescriptor: inmemory\n"
                + "  maintenance:\n    readonly:\n      enabled: false\n"), "storage");
    }

    @ParameterizedTest
    @ValueSource(strings = {"verbose", "information", "\"\"", "[debug]"})
    void invalidLogLevel(String level) {
        assertMentions(fails(MINIMAL + "log:\n  level: " + level + "\n"), "log.level");
    }

    @Test
    void authAndTlsSectionsAreReadAsPlainMaps() {
        RegistryConfig c = parse(MINIMAL + "auth:\n  token:\n    realm: https://auth.example/token\n"
                + "    autoredirect: true\n    signingalgorithms: [RS256, ES256]\n"
                + "http:\n  tls:\n    certificate: /c.pem\n    key: /k.pem\n    clientcas: [/ca1.pem, /ca2.pem]\n"
                + "  http2:\n    disabled: true\n");
        assertEquals(Map.of("token", Map.of("realm", "https://auth.example/token", "autoredirect", "true",
                "signingalgorithms", List.of("RS256", "ES256"))), c.auth());
        assertEquals(List.of("/ca1.pem", "/ca2.pem"), c.tls().get("clientcas"));
        assertEquals(Map.of("disabled", "true"), c.http2());
        assertMentions(assertThrows(ConfigException.class, () -> parse(MINIMAL + "auth: [htpasswd]\n").auth()), "auth");
    }

    @Test
    void otherRefusedSections() {
        assertMentions(fails(MINIMAL + "proxy:\n  remoteurl: https://registry-1.docker.io\n"), "proxy");
        assertMentions(fails(MINIMAL + "middleware:\n  storage:\n    - name: cloudfront\n"), "middleware");
        assertMentions(fails("version: 0.1\nstorage:\n  gcs:\n    bucket: b\n"), "storage.gcs");
    }

    @Test
    void cloudDriversPassTheirParametersThrough() {
        RegistryConfig c = parse("version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    bucket: b\n"
                + "  delete:\n    enabled: true\n");
        assertEquals("s3", c.storageDriver());
        assertEquals(Map.of("region", "us-east-1", "bucket", "b"), c.storageParameters());
        RegistryConfig a = parse("version: 0.1\nstorage:\n  azure:\n    accountname: acc\n    container: c\n"
                + "    credentials:\n      type: client_secret\n      clientid: id\n");
        assertEquals(Map.of("type", "client_secret", "clientid", "id"), a.storageParameters().get("credentials"));
    }

    @Test
    void badHeaders() {
        assertMentions(fails(MINIMAL + "http:\n  headers: [a, b]\n"), "http.headers");
        assertMentions(fails(MINIMAL + "http:\n  headers:\n    X-Foo:\n      nested: map\n"), "http.headers.X-Foo");
    }
}
