package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The reference implementation (Debian's {@code docker-registry}, distribution 2.8.x) running on a
 * loopback port over a filesystem storage root, so tests can compare Berth with it on the same
 * on-disk layout. Use with try-with-resources; {@link #close()} stops the process.
 */
public final class DistributionRegistry implements AutoCloseable {
    public static final String BINARY = "docker-registry";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration GC_TIMEOUT = Duration.ofMinutes(5);

    private final Path storageRoot;
    private final Path configFile;
    private final Path logFile;
    private final int port;
    private final Process process;

    private DistributionRegistry(Path storageRoot, Path configFile, Path logFile, int port, Process process) {
        this.storageRoot = storageRoot;
        this.configFile = configFile;
        this.logFile = logFile;
        this.port = port;
        this.process = process;
    }

    /** Starts a registry over {@code storageRoot}; config and log go to a fresh temp directory. */
    public static DistributionRegistry start(Path storageRoot) {
        try {
            return start(storageRoot, Files.createTempDirectory("berth-it-distribution"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a registry over {@code storageRoot}, writing config.yml and registry.log into {@code workDir}. */
    public static DistributionRegistry start(Path storageRoot, Path workDir) {
        try {
            Files.createDirectories(storageRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(storageRoot, port -> {
            Path config = workDir.resolve("config.yml");
            writeConfig(config, storageRoot, port);
            return config;
        }, workDir);
    }

    /**
     * Starts a registry with the config {@code writeConfig} writes for a port (any storage driver:
     * distribution's s3 driver against a test S3 server, say); {@code storageRoot} is null then.
     */
    public static DistributionRegistry start(Path storageRoot, IntFunction<Path> writeConfig, Path workDir) {
        Processes.requireOnPath(BINARY);
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("registry.log");
            // Ports.free() can race with other processes; retry when the port got taken meanwhile.
            for (int attempt = 1; ; attempt++) {
                int port = Ports.free();
                Path config = writeConfig.apply(port);
                ProcessBuilder pb = new ProcessBuilder(BINARY, "serve", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                cleanEnv(pb.environment());
                Process p = pb.start();
                DistributionRegistry reg = new DistributionRegistry(storageRoot, config, log, port, p);
                if (reg.awaitReady()) {
                    return reg;
                }
                reg.close();
                boolean portTaken = Files.readString(log, StandardCharsets.UTF_8).contains("address already in use");
                if (!portTaken || attempt >= 3) {
                    return fail("docker-registry did not answer 200 on " + reg.url() + "/v2/ within "
                            + STARTUP_TIMEOUT + " (exit: " + (p.isAlive() ? "still running" : p.exitValue())
                            + ")\n--- " + log + " (tail) ---\n" + reg.logTail());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("starting docker-registry", e);
        }
    }

    /**
     * Writes a distribution config for {@code storageRoot} listening on 127.0.0.1:{@code port}.
     * Upload purging is off so the registry never deletes in-progress uploads behind a test's back.
     */
    public static Path writeConfig(Path file, Path storageRoot, int port) {
        String yaml = String.join("\n",
                "version: 0.1",
                "log:",
                "  level: info",
                "  formatter: text",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + yamlQuote(storageRoot.toAbsolutePath().toString()),
                "  delete:",
                "    enabled: true",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: 127.0.0.1:" + port,
                // A fixed secret only silences the "generated random secret" warning.
                "  secret: berth-integration-tests",
                "");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * {@code docker-registry garbage-collect [--delete-untagged] [--dry-run] config.yml}; fails the
     * test on a non-zero exit. The mark/sweep listing is on stdout, logs on stderr: see
     * {@link Processes.Result#output()}. Distribution expects no concurrent writes while it runs.
     */
    public static Processes.Result garbageCollect(Path configFile, boolean deleteUntagged, boolean dryRun) {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "garbage-collect"));
        if (deleteUntagged) {
            cmd.add("--delete-untagged");
        }
        if (dryRun) {
            cmd.add("--dry-run");
        }
        cmd.add(configFile.toString());
        return Processes.runChecked(cmd, DistributionRegistry::cleanEnv, GC_TIMEOUT);
    }

    /** Garbage-collects a storage root without a running registry (writes a throwaway config). */
    public static Processes.Result garbageCollectStorage(Path storageRoot, boolean deleteUntagged, boolean dryRun) {
        try {
            Path cfg = Files.createTempFile("berth-it-gc", ".yml");
            try {
                return garbageCollect(writeConfig(cfg, storageRoot, Ports.free()), deleteUntagged, dryRun);
            } finally {
                Files.deleteIfExists(cfg);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs garbage-collect on this registry's config (stop the registry first for realistic results). */
    public Processes.Result garbageCollect(boolean deleteUntagged, boolean dryRun) {
        return garbageCollect(configFile, deleteUntagged, dryRun);
    }

    /** e.g. "docker-registry github.com/docker/distribution 2.8.2+ds1". */
    public static String version() {
        return Processes.runChecked(List.of(BINARY, "--version"), null, Duration.ofSeconds(30)).stdout().trim();
    }

    public String url() {
        return "http://" + hostPort();
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path storageRoot() {
        return storageRoot;
    }

    public Path configFile() {
        return configFile;
    }

    public Path logFile() {
        return logFile;
    }

    public String logTail() {
        return Processes.tail(logFile, 60);
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.kill(process);
        }
    }

    private boolean awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (Http.get(url() + "/v2/").status() == 200) {
                    return true;
                }
            } catch (UncheckedIOException notYetListening) {
                // connection refused until the listener is up
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * AWS_CA_BUNDLE breaks distribution's s3 driver init even when unused; REGISTRY_* variables
     * override config.yml keys in distribution, so an inherited one could silently change the test.
     */
    static void cleanEnv(Map<String, String> env) {
        env.remove("AWS_CA_BUNDLE");
        env.keySet().removeIf(k -> k.startsWith("REGISTRY_"));
    }

    private static String yamlQuote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
