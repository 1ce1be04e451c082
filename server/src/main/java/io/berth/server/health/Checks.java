package io.berth.server.health;

import io.berth.core.storage.StorageDriver;
import io.berth.server.config.HealthConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The checks config.yml's {@code health} section names, with distribution's error messages. */
public final class Checks {
    private Checks() {
    }

    /** Registers every configured check; the storage driver one is named {@code storagedriver_<name>}. */
    public static void register(HealthChecks checks, HealthConfig cfg, StorageDriver driver) {
        if (cfg.storageDriver().enabled()) {
            checks.register("storagedriver_" + driver.name(), cfg.storageDriver().interval(),
                    cfg.storageDriver().threshold(), storageDriver(driver));
        }
        for (HealthConfig.FileCheck f : cfg.files()) {
            checks.register(f.file(), f.interval(), f.threshold(), file(Path.of(f.file())));
        }
        for (HealthConfig.HttpCheck h : cfg.http()) {
            checks.register(h.uri().toString(), h.interval(), h.threshold(), http(h));
        }
        for (HealthConfig.TcpCheck t : cfg.tcp()) {
            checks.register(t.addr(), t.interval(), t.threshold(), tcp(t.addr(),
                    t.timeout().isZero() ? t.interval() : t.timeout()));
        }
    }

    /**
     * The backend is reachable and usable: the driver's start-up access check (a HEAD of the bucket,
     * the container's properties, the root directory writable), whose errors name the config key.
     * distribution stats "/" instead; Berth's filesystem driver reports most faults there as "not
     * found", which distribution's check lets through.
     */
    static HealthChecks.Check storageDriver(StorageDriver driver) {
        return driver::checkAccess;
    }

    /** Fails while the file exists: creating it takes the registry out of a load balancer's rotation. */
    static HealthChecks.Check file(Path file) {
        Path abs = file.toAbsolutePath();
        return () -> {
            if (Files.exists(abs)) {
                throw new IOException("file exists");
            }
        };
    }

    /** A HEAD request; without a timeout (distribution waits forever) it may take one interval. */
    static HealthChecks.Check http(HealthConfig.HttpCheck cfg) {
        Duration timeout = cfg.timeout().isZero() ? cfg.interval() : cfg.timeout();
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        return () -> {
            HttpRequest.Builder rq = HttpRequest.newBuilder(cfg.uri()).timeout(timeout)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody());
            for (Map.Entry<String, List<String>> h : cfg.headers().entrySet()) {
                h.getValue().forEach(v -> rq.header(h.getKey(), v));
            }
            int status;
            try {
                status = client.send(rq.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                throw new IOException("error while checking: " + cfg.uri());
            }
            if (status != cfg.statusCode()) {
                throw new IOException("downstream service returned unexpected status: " + status);
            }
        };
    }

    static HealthChecks.Check tcp(String addr, Duration timeout) {
        int colon = addr.lastIndexOf(':');
        String host = addr.substring(0, colon).replaceAll("^\\[|]$", "");
        int port = Integer.parseInt(addr.substring(colon + 1));
        return () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            } catch (IOException e) {
                throw new IOException("connection to " + addr + " failed");
            }
        };
    }
}
