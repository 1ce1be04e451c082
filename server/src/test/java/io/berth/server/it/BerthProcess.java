package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Berth's CLI ({@code io.berth.server.cli.Main serve config.yml}) in its own JVM, on this test
 * JVM's class path, so tests can kill it with SIGKILL and restart it on the same storage.
 */
public final class BerthProcess implements AutoCloseable {
    public static final String MAIN = "io.berth.server.cli.Main";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    /** Started and not yet closed: a failing client command names what their logs said. */
    private static final Set<BerthProcess> OPEN = ConcurrentHashMap.newKeySet();

    private final Process process;
    private final String hostPort;
    private final Path logFile;

    private BerthProcess(Process process, String hostPort, Path logFile) {
        this.process = process;
        this.hostPort = hostPort;
        this.logFile = logFile;
        OPEN.add(this);
    }

    /**
     * The log tails of every Berth started here and not yet closed, for the message of a failed
     * client command (skopeo): what the server saw of the request is most of the diagnosis.
     */
    public static String openLogTails() {
        StringBuilder sb = new StringBuilder();
        for (BerthProcess p : OPEN) {
            sb.append("\n--- berth serve on ").append(p.hostPort).append(p.process.isAlive() ? "" : " (exited)")
                    .append(", last lines of ").append(p.logFile).append(":\n").append(Processes.tail(p.logFile, 30));
        }
        return sb.toString();
    }

    /** {@code java -cp <this JVM's class path> io.berth.server.cli.Main args...}. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MAIN));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the CLI to completion (for commands that should exit, such as a bad config). */
    public static Processes.Result run(Consumer<Map<String, String>> env, String... args) {
        return Processes.run(command(args), e -> {
            cleanEnv(e);
            if (env != null) {
                env.accept(e);
            }
        }, Duration.ofMinutes(1));
    }

    /**
     * A filesystem-storage config listening on 127.0.0.1:{@code port}, deletes enabled, with
     * {@code extraYaml} appended right after {@code http.addr}: indented lines ({@code "  headers:\n..."})
     * continue the {@code http:} section, unindented ones start new top-level sections.
     */
    public static Path writeConfig(Path file, Path storageRoot, int port, String extraYaml) {
        String yaml = "version: 0.1\n"
                + "log:\n  level: info\n"
                + "storage:\n"
                + "  filesystem:\n"
                + "    rootdirectory: '" + storageRoot.toAbsolutePath().toString().replace("'", "''") + "'\n"
                + "  delete:\n    enabled: true\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n"
                + (extraYaml == null ? "" : extraYaml);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Starts Berth over {@code storageRoot} on a free port; config and log go into {@code workDir}. */
    public static BerthProcess start(Path storageRoot, Path workDir) {
        for (int attempt = 1; ; attempt++) {
            int port = Ports.free();
            Path config = writeConfig(workDir.resolve("config.yml"), storageRoot, port, null);
            Path log = workDir.resolve("berth-" + System.nanoTime() + ".log");
            BerthProcess p = start(config, null, "127.0.0.1:" + port, log);
            if (p != null) {
                return p;
            }
            if (!Processes.tail(log, 20).contains("cannot listen") || attempt >= 3) {
                return fail("Berth did not answer 200 on http://127.0.0.1:" + port + "/v2/ within "
                        + STARTUP_TIMEOUT + "\n--- " + log + " ---\n" + Processes.tail(log, 60));
            }
        }
    }

    /**
     * Starts {@code serve config} with environment edits and waits until {@code hostPort} answers
     * GET /v2/ with 200. Returns null (and stops the process) if it did not come up.
     */
    public static BerthProcess start(Path config, Consumer<Map<String, String>> env, String hostPort, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command("serve", config.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            cleanEnv(pb.environment());
            if (env != null) {
                env.accept(pb.environment());
            }
            BerthProcess p = new BerthProcess(pb.start(), hostPort, log);
            if (p.awaitReady()) {
                return p;
            }
            p.close();
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("starting Berth", e);
        }
    }

    public String hostPort() {
        return hostPort;
    }

    public String url() {
        return "http://" + hostPort;
    }

    public int port() {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    public String logTail() {
        return Processes.tail(logFile, 60);
    }

    /** SIGKILL: no shutdown hooks, no flushing, exactly like a crash or an OOM kill. Returns the exit code. */
    public int kill9() {
        process.destroyForcibly(); // SIGKILL on Unix
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail("Berth (pid " + process.pid() + ") survived SIGKILL for 30s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Sends SIGTERM and returns at once; the shutdown hook drains and stops the server. */
    public void sigterm() {
        process.destroy(); // SIGTERM on Unix
    }

    /** Waits for the process to exit; fails if it is still running after {@code timeout}. Returns the exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("Berth (pid " + process.pid() + ") still running " + timeout + " after SIGTERM\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** SIGTERM (the shutdown hook stops the server), SIGKILL if it lingers. */
    @Override
    public void close() {
        OPEN.remove(this);
        if (process.isAlive()) {
            Processes.kill(process);
        }
    }

    private boolean awaitReady() {
        return awaitServing(process, hostPort, logFile, STARTUP_TIMEOUT);
    }

    /**
     * Waits until {@code hostPort} answers GET /v2/ with 200 and the child's own log says it listens
     * there: a port can still be taken by another server, which would answer in its place.
     */
    public static boolean awaitServing(Process process, String hostPort, Path log, Duration timeout) {
        String listening = "listening on /" + hostPort + " ";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (Http.get("http://" + hostPort + "/v2/").status() == 200 && read(log).contains(listening)) {
                    return true;
                }
            } catch (UncheckedIOException notYetListening) {
                // connection refused until Jetty is up
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Inherited REGISTRY_* variables would override config keys, as in distribution. */
    static void cleanEnv(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("REGISTRY_"));
    }

    /** For failure messages. */
    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
