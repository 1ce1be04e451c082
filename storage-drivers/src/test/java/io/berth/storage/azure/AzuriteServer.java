package io.berth.storage.azure;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Azurite's blob service on a free loopback port with its data in a temp directory. The binary is
 * npm's, installed by {@code cd test-servers/azurite && npm ci}; {@code -Dberth.azurite.bin} or
 * {@code BERTH_AZURITE} point elsewhere. A missing binary fails the tests rather than skipping them.
 */
public final class AzuriteServer implements AutoCloseable {
    /** Azurite's well-known development account. */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final String RELATIVE_BIN = "test-servers/azurite/node_modules/.bin/azurite-blob";

    private static AzuriteServer shared;

    private final Process process;
    private final Path dir;
    private final int port;
    private final BlobServiceClient service;

    /** One server for the whole test JVM, stopped when it exits. */
    public static synchronized AzuriteServer shared() throws IOException {
        if (shared == null) {
            AzuriteServer s = new AzuriteServer();
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "azurite-stop"));
            shared = s;
        }
        return shared;
    }

    public AzuriteServer() throws IOException {
        Path bin = binary();
        dir = Files.createTempDirectory("berth-azurite-");
        port = freePort();
        Path log = dir.resolve("azurite.log");
        Path data = Files.createDirectories(dir.resolve("data"));
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                String.valueOf(port), "--location", data.toString(), "--skipApiVersionCheck", "--loose", "--silent")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        process = pb.start();
        try {
            waitForPort(log);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        service = new BlobServiceClientBuilder().endpoint(serviceUrl())
                .credential(new StorageSharedKeyCredential(ACCOUNT, KEY))
                .httpClient(new JdkHttpClientBuilder().build()).buildClient();
    }

    private static Path binary() throws IOException {
        String override = System.getProperty("berth.azurite.bin");
        if (override == null || override.isBlank()) {
            override = System.getenv("BERTH_AZURITE");
        }
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isExecutable(p)) {
                throw new IOException("Azurite not found at " + p + " (from berth.azurite.bin / BERTH_AZURITE)");
            }
            return p;
        }
        // tests run in storage-drivers/; look there and upwards for the project's npm install
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("test-servers/azurite"))) {
                Path p = d.resolve(RELATIVE_BIN);
                if (Files.isExecutable(p)) {
                    return p;
                }
                throw new IOException("Azurite not installed: run `cd test-servers/azurite && npm ci` (no " + p + ")");
            }
        }
        throw new IOException("Azurite not installed: run `cd test-servers/azurite && npm ci`"
                + " (no test-servers/azurite above " + Path.of("").toAbsolutePath() + ")");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void waitForPort(Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Azurite exited with " + process.exitValue() + " before listening on port " + port
                        + ": " + Files.readString(log, StandardCharsets.UTF_8));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for Azurite", ie);
                }
            }
        }
        throw new IOException("Azurite did not listen on port " + port + " within 60 s: "
                + Files.readString(log, StandardCharsets.UTF_8));
    }

    public int port() {
        return port;
    }

    public String serviceUrl() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public BlobServiceClient service() {
        return service;
    }

    /** A new, empty container with a unique name. */
    public String newContainer() {
        String name = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 20).toLowerCase(Locale.ROOT);
        service.getBlobContainerClient(name).create();
        return name;
    }

    public void deleteContainer(String name) {
        BlobContainerClient c = service.getBlobContainerClient(name);
        c.deleteIfExists();
    }

    /** Driver parameters for the dev account and this server, as config.yml would give them. */
    public Map<String, Object> parameters(String container) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("accountname", ACCOUNT);
        p.put("accountkey", KEY);
        p.put("container", container);
        p.put("serviceurl", serviceUrl());
        return p;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            children.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    children.forEach(ProcessHandle::destroyForcibly);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory; nothing more to do
        }
    }
}
