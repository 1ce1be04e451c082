package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs external tools (skopeo, docker-registry, ...) with a timeout, capturing their output. */
public final class Processes {
    private Processes() {}

    /** Outcome of a finished process. stdout is kept as bytes because raw manifests must round-trip exactly. */
    public record Result(List<String> command, int exitCode, byte[] stdoutBytes, String stderr) {
        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        /** stdout followed by stderr, for tools (like garbage-collect) that log to both. */
        public String output() {
            return stdout() + stderr;
        }

        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr;
        }
    }

    /**
     * Runs {@code command} to completion. Output goes to temp files rather than pipes so that a chatty
     * tool can never block on a full pipe buffer. On timeout the process is killed and the test fails.
     *
     * @param env edits to the inherited environment (e.g. remove AWS_CA_BUNDLE), may be null
     */
    public static Result run(List<String> command, Consumer<Map<String, String>> env, Duration timeout) {
        requireOnPath(command.get(0));
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("berth-it-proc", ".out");
            err = Files.createTempFile("berth-it-proc", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            if (env != null) {
                env.accept(pb.environment());
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                fail("timed out after " + timeout + ": " + String.join(" ", command)
                        + "\n--- stderr ---\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(List.copyOf(command), p.exitValue(), Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Like {@link #run} but fails the test, showing everything the tool printed, on a non-zero exit. */
    public static Result runChecked(List<String> command, Consumer<Map<String, String>> env, Duration timeout) {
        Result r = run(command, env, timeout);
        if (r.exitCode() != 0) {
            fail("command failed\n" + r.describe());
        }
        return r;
    }

    /** SIGTERM, then SIGKILL if the process does not go away within a few seconds; also reaps it. */
    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Fails (never skips) with a message naming the missing tool: these tests exist to compare
     * against real clients, so silently skipping them would hide a broken test environment.
     */
    public static Path requireOnPath(String executable) {
        return requireOnPath(executable, "skopeo docker-registry");
    }

    /** Like {@link #requireOnPath(String)}, naming the Debian packages that provide it. */
    public static Path requireOnPath(String executable, String debianPackages) {
        if (executable.contains("/")) {
            Path p = Path.of(executable);
            if (!Files.isExecutable(p)) {
                fail("required executable not found: " + executable);
            }
            return p;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("'" + executable + "' is not on PATH (" + path + "); the integration tests need it. "
                + "On Debian 12: apt-get install " + debianPackages);
    }

    /** Last {@code maxLines} lines of a log file, for failure messages. */
    public static String tail(Path file, int maxLines) {
        try {
            if (file == null || !Files.exists(file)) {
                return "(no log file)";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // temp file; nothing useful to do
            }
        }
    }
}
