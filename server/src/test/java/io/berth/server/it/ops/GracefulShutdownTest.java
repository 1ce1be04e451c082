package io.berth.server.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.berth.server.it.BerthProcess;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.it.StorageChecks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a child {@code berth serve} during a large blob PUT: within http.draintimeout the
 * upload finishes and the blob is complete and verified; past it the connection is cut and no blob
 * appears. Either way the blob store holds only content that hashes to its path.
 */
class GracefulShutdownTest {
    static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    BerthProcess start(Path root, String drain) {
        int port = Ports.free();
        Path cfg = BerthProcess.writeConfig(tmp.resolve("config-" + port + ".yml"), root, port,
                "  draintimeout: " + drain + "\n");
        BerthProcess p = BerthProcess.start(cfg, null, "127.0.0.1:" + port, tmp.resolve("berth-" + port + ".log"));
        if (p == null) {
            fail("berth serve did not start on port " + port);
        }
        return p;
    }

    /** A monolithic upload (POST ?digest=) written by hand so the test decides when each byte goes. */
    static Socket startUpload(BerthProcess p, String repo, byte[] blob) throws IOException {
        Socket s = new Socket("127.0.0.1", p.port());
        s.setSoTimeout(60_000);
        String head = "POST /v2/" + repo + "/blobs/uploads/?digest=" + StorageChecks.sha256(blob, 0, blob.length)
                + " HTTP/1.1\r\nHost: " + p.hostPort() + "\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + blob.length + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    static String statusLine(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    static boolean refusesConnections(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    static void awaitLog(BerthProcess p, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!BerthProcess.read(p.logFile()).contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("no \"" + text + "\" in the log:\n" + p.logTail());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anUploadInFlightAtSigtermCompletesWithinTheDrainTimeout() throws Exception {
        Path root = tmp.resolve("store");
        byte[] blob = content(48 * MIB, 1);
        String digest = StorageChecks.sha256(blob, 0, blob.length);
        BerthProcess p = start(root, "30s");
        try (Socket s = startUpload(p, "drain/app", blob)) {
            OutputStream out = s.getOutputStream();
            out.write(blob, 0, 16 * MIB);
            out.flush();
            p.sigterm();
            awaitLog(p, "stopping: draining requests in flight for up to 30s");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!refusesConnections(p.port()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(refusesConnections(p.port()), "a draining registry accepts no new connections");
            assertTrue(p.isRunning(), "still draining while the upload is in flight");
            for (int off = 16 * MIB; off < blob.length; off += MIB) {
                out.write(blob, off, MIB);
                Thread.sleep(20); // slow enough that the drain really waits
            }
            out.flush();
            String status = statusLine(s);
            assertTrue(status != null && status.startsWith("HTTP/1.1 201"), "status: " + status + "\n" + p.logTail());
        }
        int exit = p.awaitExit(Duration.ofSeconds(30));
        assertTrue(exit == 143 || exit == 0, "exit code " + exit);
        assertEquals(List.of(digest), StorageChecks.assertEveryBlobHashesToItsPath(root));
        assertTrue(Files.exists(StorageChecks.layerLink(root, "drain/app", digest)));
        String log = BerthProcess.read(p.logFile());
        assertTrue(log.contains("msg=stopped"), log);
    }

    @Test
    void anUploadStillSendingWhenTheDrainTimeoutEndsLeavesNoBlob() throws Exception {
        Path root = tmp.resolve("store");
        byte[] blob = content(32 * MIB, 2);
        String digest = StorageChecks.sha256(blob, 0, blob.length);
        BerthProcess p = start(root, "1s");
        String status = null;
        long t0;
        try (Socket s = startUpload(p, "cut/app", blob)) {
            OutputStream out = s.getOutputStream();
            out.write(blob, 0, 8 * MIB);
            out.flush();
            t0 = System.nanoTime();
            p.sigterm();
            try {
                for (int off = 8 * MIB; off < blob.length && System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos();
                     off += 256 * 1024) {
                    out.write(blob, off, 256 * 1024);
                    out.flush();
                    Thread.sleep(100); // 2.5 MiB/s: the rest would need ~10s, far past the 1s drain
                }
                status = statusLine(s);
            } catch (IOException cut) {
                // the connection was closed under the upload: what a client sees when the drain ends
            }
        }
        p.awaitExit(Duration.ofSeconds(20));
        long took = System.nanoTime() - t0;
        assertTrue(took < Duration.ofSeconds(12).toNanos(), "stopped " + took / 1_000_000 + " ms after SIGTERM");
        assertTrue(status == null || !status.startsWith("HTTP/1.1 201"), "status " + status);
        assertFalse(Files.exists(StorageChecks.blobData(root, digest)), "a cut upload must not become a blob");
        assertEquals(List.of(), StorageChecks.assertEveryBlobHashesToItsPath(root));

        // on restart the blob is unknown and can be pushed again
        BerthProcess again = start(root, "1s");
        try {
            assertEquals(404, Http.head(again.url() + "/v2/cut/app/blobs/" + digest).status());
            Http.Response r = Http.post(again.url() + "/v2/cut/app/blobs/uploads/?digest=" + digest, blob,
                    "Content-Type", "application/octet-stream");
            assertEquals(201, r.status(), r.toString());
            assertEquals(List.of(digest), StorageChecks.assertEveryBlobHashesToItsPath(root));
            assertNotEquals(-1, again.pid());
        } finally {
            again.close();
        }
    }
}
