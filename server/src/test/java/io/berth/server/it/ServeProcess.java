package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * {@code berth serve config.yml} in its own JVM for configurations {@link BerthProcess} cannot
 * wait for: behind authentication ({@code /v2/} answers 401) or TLS. Ready once {@code /v2/}
 * answers anything over the given scheme.
 */
public final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    public final int port;

    private ServeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * A filesystem store under {@code work}, {@code extraYaml} appended after {@code http.addr}
     * (see {@link BerthProcess#writeConfig}); {@code tls} null for plain HTTP.
     */
    public static ServeProcess start(Path work, String extraYaml, SSLContext tls) {
        int port = Ports.free();
        Path config = BerthProcess.writeConfig(work.resolve("config.yml"), work.resolve("store"), port, extraYaml);
        Path log = work.resolve("berth-" + System.nanoTime() + ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(BerthProcess.command("serve", config.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            BerthProcess.cleanEnv(pb.environment());
            ServeProcess p = new ServeProcess(pb.start(), log, port);
            p.awaitReady(tls);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("starting Berth", e);
        }
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private void awaitReady(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2));
        if (tls != null) {
            b.sslContext(tls);
        }
        HttpClient client = b.build();
        URI uri = URI.create((tls == null ? "http" : "https") + "://" + hostPort() + "/v2/");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        fail("Berth did not answer on " + uri + "\n--- log ---\n" + Processes.tail(log, 60));
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.kill(process);
        }
    }
}
