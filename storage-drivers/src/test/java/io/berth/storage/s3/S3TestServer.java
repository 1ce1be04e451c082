package io.berth.storage.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests, in its own JVM on a free loopback port with a temporary data
 * directory: Adobe S3Mock or s3proxy (filesystem-nio2 backend). Their runtime classpaths are
 * resolved by the reactor modules test-servers/s3mock and test-servers/s3proxy into files named by
 * the system properties {@code berth.s3mock.classpath} and {@code berth.s3proxy.classpath}
 * (set by storage-drivers' surefire configuration). A missing file fails the test, naming the
 * command that creates it.
 *
 * <p>{@link #shared(Kind)} gives one server per kind for the whole test JVM (stopped at exit);
 * {@link #start(Kind)} a private one the caller closes. Use {@link #createBucket()} for a fresh,
 * empty bucket.
 */
public final class S3TestServer implements AutoCloseable {

    public enum Kind {
        S3MOCK("S3Mock 4.9.1", "berth.s3mock.classpath", "test-servers/s3mock",
                "com.adobe.testing.s3mock.S3MockApplication"),
        S3PROXY("s3proxy 2.6.0", "berth.s3proxy.classpath", "test-servers/s3proxy", "org.gaul.s3proxy.Main");

        final String label;
        final String property;
        final String module;
        final String mainClass;

        Kind(String label, String property, String module, String mainClass) {
            this.label = label;
            this.property = property;
            this.module = module;
            this.mainClass = mainClass;
        }
    }

    public static final String ACCESS_KEY = "berth-test-access";
    public static final String SECRET_KEY = "berth-test-secret";
    public static final String REGION = "us-east-1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Map<Kind, S3TestServer> SHARED = new EnumMap<>(Kind.class);
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final Kind kind;
    private final Process process;
    private final Path dir;
    private final Path log;
    private final int port;
    private final S3Client admin;

    private S3TestServer(Kind kind, Process process, Path dir, Path log, int port) {
        this.kind = kind;
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
        this.admin = client(endpoint(), ACCESS_KEY, SECRET_KEY);
    }

    /** The server of this kind shared by every test in this JVM, started on first use. */
    public static synchronized S3TestServer shared(Kind kind) throws IOException, InterruptedException {
        S3TestServer s = SHARED.get(kind);
        if (s == null || !s.process.isAlive()) {
            s = start(kind);
            SHARED.put(kind, s);
            S3TestServer toStop = s;
            Runtime.getRuntime().addShutdownHook(new Thread(toStop::close, "stop-" + kind));
        }
        return s;
    }

    /** Starts a new server; fails (never skips) when its classpath file is missing. */
    public static S3TestServer start(Kind kind) throws IOException, InterruptedException {
        String classpath = classpath(kind);
        Path dir = Files.createTempDirectory("berth-" + kind.name().toLowerCase() + "-");
        Path data = Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("server.log");
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + dir));
        if (kind == Kind.S3MOCK) {
            cmd.addAll(List.of("-cp", classpath, kind.mainClass,
                    "--com.adobe.testing.s3mock.httpPort=" + port,
                    "--server.port=" + freePort(), // S3Mock's HTTPS connector, unused
                    "--server.address=127.0.0.1",
                    "--com.adobe.testing.s3mock.store.root=" + data,
                    "--com.adobe.testing.s3mock.store.retainFilesOnExit=false",
                    "--spring.main.banner-mode=off",
                    "--logging.level.root=WARN",
                    "--logging.level.com.adobe.testing.s3mock=INFO"));
        } else {
            Path logback = dir.resolve("logback.xml");
            Files.writeString(logback, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            Path props = dir.resolve("s3proxy.properties");
            Files.writeString(props, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.identity=" + ACCESS_KEY,
                    "jclouds.credential=" + SECRET_KEY,
                    "jclouds.filesystem.basedir=" + data,
                    ""));
            cmd.addAll(List.of("-Dlogback.configurationFile=" + logback, "-cp", classpath, kind.mainClass,
                    "--properties", props.toString()));
        }
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3TestServer server = new S3TestServer(kind, process, dir, log, port);
        try {
            server.awaitReady();
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String classpath(Kind kind) throws IOException {
        String file = System.getProperty(kind.property);
        String howTo = "run `mvn -q -pl test-servers/s3mock,test-servers/s3proxy generate-resources` in the project"
                + " root (or build the reactor) to resolve " + kind.label + " and write it";
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("cannot start " + kind.label + ": system property " + kind.property
                    + " (the file holding its classpath, written by " + kind.module + ") is not set; "
                    + "storage-drivers' surefire configuration sets it. " + howTo);
        }
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("cannot start " + kind.label + ": its classpath file " + p.toAbsolutePath()
                    + " (" + kind.property + ") is missing; " + howTo);
        }
        String cp = Files.readString(p).trim();
        if (cp.isEmpty()) {
            throw new IllegalStateException("cannot start " + kind.label + ": its classpath file " + p + " is empty; "
                    + howTo);
        }
        return cp;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind.label + " exited with status " + process.exitValue()
                        + " during start-up; its log ends:\n" + logTail(60));
            }
            try {
                // any HTTP answer will do: S3Mock lists buckets, s3proxy refuses the anonymous request
                http.send(HttpRequest.newBuilder(endpoint()).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(kind.label + " did not answer on " + endpoint() + " within "
                        + STARTUP_TIMEOUT.toSeconds() + " s; its log ends:\n" + logTail(60));
            }
            Thread.sleep(200);
        }
    }

    public Kind kind() {
        return kind;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client with the server's credentials, for setting up and inspecting what a test did. */
    public S3Client admin() {
        return admin;
    }

    /** A client for the endpoint with the given credentials (path style, checksums only when required). */
    public static S3Client client(URI endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .httpClient(ApacheHttpClient.create())
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** Creates a new, empty bucket with a unique name. */
    public String createBucket() {
        String name = "berth-" + BUCKETS.incrementAndGet() + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        admin.createBucket(b -> b.bucket(name));
        return name;
    }

    /** config.yml's {@code storage.s3} for this server; callers may add or replace keys. */
    public Map<String, Object> driverParameters(String bucket, String rootDirectory) {
        Map<String, Object> p = new HashMap<>();
        p.put("regionendpoint", endpoint().toString());
        p.put("region", REGION);
        p.put("bucket", bucket);
        p.put("accesskey", ACCESS_KEY);
        p.put("secretkey", SECRET_KEY);
        p.put("secure", false);
        if (rootDirectory != null) {
            p.put("rootdirectory", rootDirectory);
        }
        return p;
    }

    /** The last lines of the server's log. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        admin.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory; the OS cleans it eventually
        }
    }

    @Override
    public String toString() {
        return kind.label + " at " + endpoint();
    }
}
