package io.berth.server.http;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh registry per test; filesystem-backed unless a subclass says otherwise. */
abstract class ApiTestBase {
    /**
     * Jetty's graceful stop waits about a second for the client's idle keep-alive connection;
     * servers of finished tests are therefore stopped in the background and awaited once per class.
     */
    private static final List<CompletableFuture<Void>> STOPPING = new ArrayList<>();
    private static final ExecutorService STOPPER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-server-stop");
        t.setDaemon(true);
        return t;
    });

    @TempDir
    Path tmp;
    TestServer srv;
    Api api;

    /** The server each test gets; subclasses switch drivers or policies. */
    TestServer newServer(Path dir) throws Exception {
        return TestServer.filesystem(dir);
    }

    @BeforeEach
    void startServer() throws Exception {
        srv = newServer(tmp.resolve("registry"));
        api = srv.api;
    }

    @AfterEach
    void stopServer() {
        if (srv != null) {
            stopLater(srv);
        }
    }

    static void stopLater(TestServer s) {
        synchronized (STOPPING) {
            STOPPING.add(CompletableFuture.runAsync(() -> {
                try {
                    s.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, STOPPER));
        }
    }

    @AfterAll
    static void awaitStopped() {
        List<CompletableFuture<Void>> all;
        synchronized (STOPPING) {
            all = new ArrayList<>(STOPPING);
            STOPPING.clear();
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }
}
