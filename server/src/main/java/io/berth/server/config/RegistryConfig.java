package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.core.manifest.LayerUrls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * distribution's config.yml, read as distribution reads it: the YAML file, then
 * {@code REGISTRY_<SECTION>_<KEY>} environment variables laid over it. Unknown keys stop
 * start-up with the key's name; keys distribution knows and Berth does not act on are logged.
 */
public final class RegistryConfig {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryConfig.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> STORAGE_OPTIONS = Set.of("delete", "maintenance", "cache", "redirect", "tag");

    private final ObjectNode root;

    private RegistryConfig(ObjectNode root) {
        this.root = root;
        validate();
    }

    /** The embedded default: filesystem storage in {@code ./data}, port 5000, deletes enabled. */
    public static RegistryConfig defaults(Map<String, String> env) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", "0.1");
        root.putObject("storage").putObject("filesystem").put("rootdirectory", "data");
        root.withObject("/storage").putObject("delete").put("enabled", true);
        root.putObject("http").put("addr", ":5000");
        applyEnv(root, env);
        return new RegistryConfig(root);
    }

    public static RegistryConfig load(Path file, Map<String, String> env) {
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException("configuration " + file + " is not a YAML mapping");
        }
        ObjectNode root = (ObjectNode) tree;
        applyEnv(root, env);
        return new RegistryConfig(root);
    }

    public static RegistryConfig parse(String yaml, Map<String, String> env) {
        try {
            JsonNode tree = YAML.readTree(yaml);
            ObjectNode root = tree instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
            applyEnv(root, env);
            return new RegistryConfig(root);
        } catch (IOException e) {
            throw new ConfigException("configuration is not valid YAML: " + e.getMessage());
        }
    }

    /** {@code REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/x} sets storage.filesystem.rootdirectory. */
    static void applyEnv(ObjectNode root, Map<String, String> env) {
        env.entrySet().stream().filter(e -> e.getKey().startsWith("REGISTRY_"))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String[] parts = e.getKey().substring("REGISTRY_".length()).toLowerCase(Locale.ROOT).split("_");
                    JsonNode value = scalar(e.getValue());
                    if (parts.length == 1 && parts[0].equals("storage")) {
                        selectDriver(root, e.getValue().trim());
                        return;
                    }
                    // distribution ignores REGISTRY_* variables it has no field for (REGISTRY_PORT and
                    // REGISTRY_SERVICE_HOST come from a Kubernetes service named "registry")
                    String dotted = String.join(".", parts);
                    if (!ConfigKeys.isKnown(dotted) && !ConfigKeys.isBranch(dotted)) {
                        LOG.warn("ignoring unrecognized environment variable {}", e.getKey());
                        return;
                    }
                    ObjectNode node = root;
                    for (int i = 0; i < parts.length - 1; i++) {
                        JsonNode child = node.get(parts[i]);
                        if (!(child instanceof ObjectNode)) {
                            child = node.putObject(parts[i]);
                        }
                        node = (ObjectNode) child;
                    }
                    node.set(parts[parts.length - 1], value);
                });
    }

    /** {@code REGISTRY_STORAGE=s3} switches the driver and keeps the storage options. */
    private static void selectDriver(ObjectNode root, String driver) {
        ObjectNode storage = root.get("storage") instanceof ObjectNode s ? s : root.putObject("storage");
        List<String> drop = new ArrayList<>();
        storage.fieldNames().forEachRemaining(f -> {
            if (!STORAGE_OPTIONS.contains(f) && !f.equals(driver)) {
                drop.add(f);
            }
        });
        drop.forEach(storage::remove);
        if (!storage.has(driver)) {
            storage.putObject(driver);
        }
    }

    private static JsonNode scalar(String v) {
        try {
            JsonNode n = YAML.readTree(v);
            return n == null || n.isMissingNode() ? JsonNodeFactory.instance.textNode(v) : n;
        } catch (IOException e) {
            return JsonNodeFactory.instance.textNode(v);
        }
    }

    private void validate() {
        checkKeys(root, "");
        JsonNode version = root.get("version");
        if (version == null) {
            throw new ConfigException("version: missing (distribution requires version: 0.1)");
        }
        if (!"0.1".equals(version.asText())) {
            throw new ConfigException("version: unsupported value \"" + version.asText() + "\" (expected 0.1)");
        }
        storageDriver(); // exactly one
        logLevel();
        deleteEnabled();
        readOnly();
        blobDescriptorCacheSize();
        addr();
        headers();
        layerUrls();
        validateOperations();
    }

    private void checkKeys(JsonNode node, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (ConfigKeys.REFUSED.contains(key)) {
                throw new ConfigException(key + ": not supported by this version of Berth; remove it or use distribution");
            }
            if (ConfigKeys.IGNORED.contains(key)) {
                LOG.warn("config key {} is accepted for compatibility but not acted on", key);
                continue;
            }
            if (ConfigKeys.isKnown(key)) {
                continue;
            }
            if (ConfigKeys.isBranch(key) && (e.getValue().isObject() || e.getValue().isNull())) {
                checkKeys(e.getValue(), key);
                continue;
            }
            throw new ConfigException(key + ": unknown configuration key");
        }
    }

    public String storageDriver() {
        JsonNode storage = root.get("storage");
        if (storage == null || !storage.isObject()) {
            throw new ConfigException("storage: missing; configure exactly one driver (filesystem, inmemory)");
        }
        List<String> drivers = new ArrayList<>();
        storage.fieldNames().forEachRemaining(f -> {
            if (!STORAGE_OPTIONS.contains(f)) {
                drivers.add(f);
            }
        });
        if (drivers.size() != 1) {
            throw new ConfigException("storage: exactly one storage driver must be configured, found " + drivers);
        }
        return drivers.get(0);
    }

    /**
     * The chosen driver's parameters, as distribution passes them: a free map whose scalars are
     * strings and whose nested sections (azure's {@code credentials}) are maps.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> storageParameters() {
        Object params = plain(root.path("storage").path(storageDriver()));
        return params instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
    }

    private static Object plain(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
            return out;
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            n.forEach(x -> out.add(plain(x)));
            return out;
        }
        return n.isNull() || n.isMissingNode() ? null : n.asText();
    }

    public String filesystemRoot() {
        JsonNode n = root.path("storage").path("filesystem").path("rootdirectory");
        if (n.isMissingNode() || n.isNull() || n.asText().isBlank()) {
            return "/var/lib/registry"; // distribution's default
        }
        return n.asText();
    }

    public String logLevel() {
        String level = root.path("log").path("level").asText(root.path("loglevel").asText("info"));
        level = level.toLowerCase(Locale.ROOT);
        if (!Set.of("error", "warn", "info", "debug", "trace", "panic", "fatal").contains(level)) {
            throw new ConfigException("log.level: invalid value \"" + level + "\" (error, warn, info, debug)");
        }
        return level;
    }

    public boolean deleteEnabled() {
        return bool("storage.delete.enabled", root.path("storage").path("delete").path("enabled"), false);
    }

    public boolean readOnly() {
        return bool("storage.maintenance.readonly.enabled",
                root.path("storage").path("maintenance").path("readonly").path("enabled"), false);
    }

    public boolean redirectDisabled() {
        return bool("storage.redirect.disable", root.path("storage").path("redirect").path("disable"), false);
    }

    /**
     * Capacity of the in-memory blob descriptor cache, 0 when none is configured. {@code redis}
     * is distribution's other choice; Berth does not speak redis and runs without a cache then.
     */
    public int blobDescriptorCacheSize() {
        JsonNode cache = root.path("storage").path("cache");
        String kind = cache.path("blobdescriptor").asText("");
        switch (kind) {
            case "" -> {
                return 0;
            }
            case "inmemory" -> {
                JsonNode size = cache.path("blobdescriptorsize");
                if (size.isMissingNode() || size.isNull()) {
                    return 10_000; // distribution's default
                }
                if (!size.canConvertToInt() || size.asInt() <= 0) {
                    throw new ConfigException("storage.cache.blobdescriptorsize: expected a positive integer");
                }
                return size.asInt();
            }
            case "redis" -> {
                LOG.warn("storage.cache.blobdescriptor: redis is not supported; running without a descriptor cache");
                return 0;
            }
            default -> throw new ConfigException("storage.cache.blobdescriptor: unknown cache \"" + kind
                    + "\" (inmemory, redis)");
        }
    }

    /**
     * {@code validation}: which URLs the layers of a pushed manifest may carry. As distribution reads
     * it: validation is on unless {@code validation.disabled} (and {@code enabled} not set), and
     * with neither {@code manifests.urls.allow} nor {@code deny} given, no URL is allowed.
     */
    public LayerUrls layerUrls() {
        JsonNode v = root.path("validation");
        boolean enabled = bool("validation.enabled", v.path("enabled"), false)
                || !bool("validation.disabled", v.path("disabled"), false);
        JsonNode urls = v.path("manifests").path("urls");
        try {
            return LayerUrls.of(enabled, patterns("validation.manifests.urls.allow", urls.path("allow")),
                    patterns("validation.manifests.urls.deny", urls.path("deny")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static List<String> patterns(String key, JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (n.isTextual()) { // one pattern, as an environment variable gives it
            return List.of(n.textValue());
        }
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode p : n) {
                if (!p.isTextual()) {
                    throw new ConfigException(key + ": must be a list of regular expressions");
                }
                out.add(p.textValue());
            }
            return out;
        }
        throw new ConfigException(key + ": must be a list of regular expressions");
    }

    public boolean relativeUrls() {
        return bool("http.relativeurls", root.path("http").path("relativeurls"), false);
    }

    public String httpHost() {
        return root.path("http").path("host").asText("");
    }

    public String httpPrefix() {
        String p = root.path("http").path("prefix").asText("/");
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** host (empty for all interfaces) and port of {@code http.addr}, default {@code :5000}. */
    public Addr addr() {
        return parseAddr("http.addr", root.path("http").path("addr").asText(":5000").trim());
    }

    private static Addr parseAddr(String key, String a) {
        int colon = a.lastIndexOf(':');
        String host = colon >= 0 ? a.substring(0, colon) : a;
        String port = colon >= 0 ? a.substring(colon + 1) : ""; // Go's net.Listen: "missing port in address"
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return new Addr(host, p);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": invalid address \"" + a + "\" (expected host:port or :port)");
        }
    }

    public record Addr(String host, int port) {
    }

    /** Extra response headers ({@code http.headers}), each a list of values. */
    public Map<String, List<String>> headers() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        JsonNode h = root.path("http").path("headers");
        if (h.isMissingNode() || h.isNull()) {
            return out;
        }
        if (!h.isObject()) {
            throw new ConfigException("http.headers: must be a mapping of header name to a list of values");
        }
        h.fields().forEachRemaining(e -> {
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(v -> values.add(v.asText()));
            } else if (e.getValue().isValueNode()) {
                values.add(e.getValue().asText());
            } else {
                throw new ConfigException("http.headers." + e.getKey() + ": must be a list of strings");
            }
            out.put(e.getKey(), values);
        });
        return out;
    }

    /** The {@code auth} section as plain maps (one access controller and its options), empty when absent. */
    public Map<String, Object> auth() {
        return section(root.path("auth"), "auth");
    }

    /** The {@code http.tls} section as plain maps, empty when absent. */
    public Map<String, Object> tls() {
        return section(root.path("http").path("tls"), "http.tls");
    }

    /** The {@code http.http2} section ({@code disabled}), empty when absent. */
    public Map<String, Object> http2() {
        return section(root.path("http").path("http2"), "http.http2");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(JsonNode n, String key) {
        if (n.isMissingNode() || n.isNull()) {
            return new LinkedHashMap<>();
        }
        if (!n.isObject()) {
            throw new ConfigException(key + ": must be a mapping");
        }
        return (Map<String, Object>) plain(n);
    }

    private static boolean bool(String key, JsonNode n, boolean dflt) {
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        String s = n.asText().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(key + ": expected true or false, got \"" + n.asText() + "\"");
    }

    // ---- operations: notifications, health, debug server, draining, upload purging, logging ----

    private void validateOperations() {
        notifications();
        health();
        debug();
        drainTimeout();
        uploadPurging();
        logFormatter();
        logFields();
    }

    public NotificationsConfig notifications() {
        return NotificationsConfig.from(root.path("notifications"));
    }

    public HealthConfig health() {
        return HealthConfig.from(root.path("health"));
    }

    public DebugConfig debug() {
        JsonNode d = root.path("http").path("debug");
        String addr = Nodes.string("http.debug.addr", d.path("addr"), "").trim();
        String path = Nodes.string("http.debug.prometheus.path", d.path("prometheus").path("path"), "/metrics");
        if (path.isEmpty()) {
            path = "/metrics";
        }
        if (!path.startsWith("/") || path.startsWith("/debug/health")) {
            throw new ConfigException("http.debug.prometheus.path: expected an absolute path other than /debug/health, got \""
                    + path + "\"");
        }
        boolean prometheus = Nodes.bool("http.debug.prometheus.enabled", d.path("prometheus").path("enabled"), false);
        return new DebugConfig(addr.isEmpty() ? null : parseAddr("http.debug.addr", addr), prometheus, path);
    }

    /**
     * How long SIGTERM waits for requests in flight ({@code http.draintimeout}). distribution stops at
     * once when the key is absent; Berth drains for {@link #DEFAULT_DRAIN} then, which fits within
     * Kubernetes' default 30s grace period. An explicit 0 stops at once, as in distribution.
     */
    public Duration drainTimeout() {
        Duration d = GoDuration.parse("http.draintimeout", root.path("http").path("draintimeout"), DEFAULT_DRAIN);
        if (d.isNegative()) {
            throw new ConfigException("http.draintimeout: must not be negative");
        }
        return d;
    }

    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(20);

    public UploadPurgeConfig uploadPurging() {
        String k = "storage.maintenance.uploadpurging";
        JsonNode n = root.path("storage").path("maintenance").path("uploadpurging");
        Duration age = GoDuration.parse(k + ".age", n.path("age"), Duration.ofHours(168));
        Duration interval = GoDuration.parse(k + ".interval", n.path("interval"), Duration.ofHours(24));
        if (age.isNegative() || age.isZero() || interval.isNegative() || interval.isZero()) {
            throw new ConfigException(k + ": age and interval must be positive durations");
        }
        return new UploadPurgeConfig(Nodes.bool(k + ".enabled", n.path("enabled"), true), age, interval,
                Nodes.bool(k + ".dryrun", n.path("dryrun"), false));
    }

    /** {@code log.formatter}: text (default), json, or logstash (JSON with logstash's field names). */
    public String logFormatter() {
        String f = Nodes.string("log.formatter", root.path("log").path("formatter"), "text").toLowerCase(Locale.ROOT);
        if (f.isEmpty()) {
            return "text";
        }
        if (!Set.of("text", "json", "logstash").contains(f)) {
            throw new ConfigException("log.formatter: unsupported logging formatter \"" + f + "\" (text, json, logstash)");
        }
        return f;
    }

    /** {@code log.fields}: static fields added to every log line. */
    public Map<String, String> logFields() {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode f = root.path("log").path("fields");
        if (Nodes.absent(f)) {
            return out;
        }
        if (!f.isObject()) {
            throw new ConfigException("log.fields: must be a mapping of field name to value");
        }
        f.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText()
                : e.getValue().toString()));
        return out;
    }

    /** Access log lines unless {@code log.accesslog.disabled}. */
    public boolean accessLogEnabled() {
        return !Nodes.bool("log.accesslog.disabled", root.path("log").path("accesslog").path("disabled"), false);
    }
}
