package io.berth.server.it.cloud;

import static org.junit.jupiter.api.Assertions.fail;

import io.berth.server.it.BerthProcess;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.it.Processes;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth serve config.yml} in its own JVM (the command of {@link BerthProcess}) with object
 * storage: the config is written with distribution's keys, as an operator would write it. Unlike
 * {@link BerthProcess#start}, start-up may take up to {@link #STARTUP_TIMEOUT}: several JVMs start
 * at once here, on a 2-core machine that other builds share.
 */
final class CloudBerth implements AutoCloseable {
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final String hostPort;
    private final Path log;

    private CloudBerth(Process process, String hostPort, Path log) {
        this.process = process;
        this.hostPort = hostPort;
        this.log = log;
    }

    String url() {
        return "http://" + hostPort;
    }

    String hostPort() {
        return hostPort;
    }

    Path logFile() {
        return log;
    }

    String logTail() {
        return Processes.tail(log, 60);
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash or an OOM killer would stop it; returns the exit status (137). */
    int kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("Berth (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
        return process.exitValue();
    }

    /** SIGTERM (Berth's shutdown hook stops the server), SIGKILL if it lingers. */
    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.kill(process);
        }
    }

    /**
     * A distribution config.yml: {@code storage.<driver>} with {@code params}, deletes enabled, then
     * {@code storageExtra} (indented two spaces: more keys of {@code storage:}, e.g.
     * {@code "  redirect:\n    disable: true\n"}), and {@code http.addr}.
     */
    static String yaml(String driver, Map<String, Object> params, String storageExtra, int port) {
        StringBuilder y = new StringBuilder("version: 0.1\nlog:\n  level: info\nstorage:\n  ").append(driver).append(":\n");
        params.forEach((k, v) -> y.append("    ").append(k).append(": ").append(scalar(v)).append('\n'));
        y.append("  delete:\n    enabled: true\n");
        if (storageExtra != null) {
            y.append(storageExtra);
        }
        y.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        return y.toString();
    }

    private static String scalar(Object v) {
        if (v instanceof Boolean || v instanceof Number) {
            return v.toString();
        }
        return "'" + String.valueOf(v).replace("'", "''") + "'";
    }

    static Path write(Path file, String yaml) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts Berth on a free port with the store; fails the test with its log if it does not come up. */
    static CloudBerth start(CloudBackend backend, String store, String storageExtra, Path workDir) {
        return start(backend.driver(), backend.parameters(store), storageExtra, workDir);
    }

    static CloudBerth start(String driver, Map<String, Object> params, String storageExtra, Path workDir) {
        for (int attempt = 1; ; attempt++) {
            int port = Ports.free();
            String name = "berth-" + System.nanoTime();
            Path config = write(workDir.resolve(name + ".yml"), yaml(driver, params, storageExtra, port));
            Path log = workDir.resolve(name + ".log");
            CloudBerth b = launch(config, "127.0.0.1:" + port, log);
            if (b.awaitReady()) {
                return b;
            }
            b.close();
            if (!Processes.tail(log, 20).contains("cannot listen") || attempt >= 3) {
                return fail("berth serve " + config + " did not answer GET /v2/ on 127.0.0.1:" + port + " within "
                        + STARTUP_TIMEOUT.toSeconds() + " s\n--- config ---\n" + BerthProcess.read(config)
                        + "\n--- log ---\n" + Processes.tail(log, 80));
            }
        }
    }

    private static CloudBerth launch(Path config, String hostPort, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(BerthProcess.command("serve", config.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // inherited REGISTRY_* variables would override config keys, as in distribution
            pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
            return new CloudBerth(pb.start(), hostPort, log);
        } catch (IOException e) {
            throw new UncheckedIOException("starting Berth", e);
        }
    }

    private boolean awaitReady() {
        return BerthProcess.awaitServing(process, hostPort, log, STARTUP_TIMEOUT);
    }

    /** Runs {@code berth serve} with the config to its end (for configs that must stop start-up). */
    static Processes.Result runToExit(String driver, Map<String, Object> params, Path workDir) {
        Path config = write(workDir.resolve("config-" + System.nanoTime() + ".yml"),
                yaml(driver, params, null, Ports.free()));
        return BerthProcess.run(null, "serve", config.toString());
    }
}
