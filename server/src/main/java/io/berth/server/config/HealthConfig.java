package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code health}: periodic checks of the storage driver, files, HTTP URIs and TCP addresses, with
 * distribution's defaults (every 10s; a threshold of 0 means one failure is enough).
 */
public record HealthConfig(StorageDriverCheck storageDriver, List<FileCheck> files, List<HttpCheck> http,
                           List<TcpCheck> tcp) {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    public record StorageDriverCheck(boolean enabled, Duration interval, int threshold) {
    }

    /** Fails while the file exists: an operator takes the registry out of rotation by creating it. */
    public record FileCheck(String file, Duration interval, int threshold) {
    }

    /** A HEAD request expecting {@code statusCode}. */
    public record HttpCheck(URI uri, Map<String, List<String>> headers, int statusCode, Duration timeout,
                            Duration interval, int threshold) {
    }

    public record TcpCheck(String addr, Duration timeout, Duration interval, int threshold) {
    }

    public boolean any() {
        return storageDriver.enabled() || !files.isEmpty() || !http.isEmpty() || !tcp.isEmpty();
    }

    static HealthConfig from(JsonNode n) {
        JsonNode sd = n.path("storagedriver");
        StorageDriverCheck storage = new StorageDriverCheck(
                Nodes.bool("health.storagedriver.enabled", sd.path("enabled"), false),
                interval("health.storagedriver.interval", sd.path("interval")),
                Nodes.integer("health.storagedriver.threshold", sd.path("threshold"), 0));
        List<FileCheck> files = new ArrayList<>();
        List<JsonNode> items = Nodes.items("health.file", n.path("file"));
        for (int i = 0; i < items.size(); i++) {
            String key = "health.file[" + i + "]";
            JsonNode f = items.get(i);
            Nodes.only(key, f, Set.of("file", "interval", "threshold"));
            String file = Nodes.string(key + ".file", f.path("file"), "");
            if (file.isBlank()) {
                throw new ConfigException(key + ".file: missing");
            }
            files.add(new FileCheck(file, interval(key + ".interval", f.path("interval")),
                    Nodes.integer(key + ".threshold", f.path("threshold"), 0)));
        }
        List<HttpCheck> http = new ArrayList<>();
        items = Nodes.items("health.http", n.path("http"));
        for (int i = 0; i < items.size(); i++) {
            String key = "health.http[" + i + "]";
            JsonNode h = items.get(i);
            Nodes.only(key, h, Set.of("uri", "headers", "statuscode", "timeout", "interval", "threshold"));
            String uri = Nodes.string(key + ".uri", h.path("uri"), "");
            URI u;
            try {
                u = new URI(uri);
            } catch (URISyntaxException e) {
                throw new ConfigException(key + ".uri: invalid URI \"" + uri + "\"");
            }
            if (u.getScheme() == null || u.getHost() == null || !u.getScheme().startsWith("http")) {
                throw new ConfigException(key + ".uri: expected an http:// or https:// URI, got \"" + uri + "\"");
            }
            int status = Nodes.integer(key + ".statuscode", h.path("statuscode"), 200);
            http.add(new HttpCheck(u, Nodes.headers(key + ".headers", h.path("headers")), status == 0 ? 200 : status,
                    GoDuration.parse(key + ".timeout", h.path("timeout"), Duration.ZERO),
                    interval(key + ".interval", h.path("interval")),
                    Nodes.integer(key + ".threshold", h.path("threshold"), 0)));
        }
        List<TcpCheck> tcp = new ArrayList<>();
        items = Nodes.items("health.tcp", n.path("tcp"));
        for (int i = 0; i < items.size(); i++) {
            String key = "health.tcp[" + i + "]";
            JsonNode t = items.get(i);
            Nodes.only(key, t, Set.of("addr", "timeout", "interval", "threshold"));
            String addr = Nodes.string(key + ".addr", t.path("addr"), "");
            if (!addr.matches("^.+:\\d+$")) {
                throw new ConfigException(key + ".addr: expected host:port, got \"" + addr + "\"");
            }
            tcp.add(new TcpCheck(addr, GoDuration.parse(key + ".timeout", t.path("timeout"), Duration.ZERO),
                    interval(key + ".interval", t.path("interval")),
                    Nodes.integer(key + ".threshold", t.path("threshold"), 0)));
        }
        return new HealthConfig(storage, List.copyOf(files), List.copyOf(http), List.copyOf(tcp));
    }

    private static Duration interval(String key, JsonNode n) {
        Duration d = GoDuration.parse(key, n, DEFAULT_INTERVAL);
        if (d.isNegative()) {
            throw new ConfigException(key + ": must not be negative");
        }
        return d.isZero() ? DEFAULT_INTERVAL : d;
    }
}
