package io.berth.migrate.copy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/** Runs a batch of storage writes on the worker pool and waits for all of them. */
final class IoTasks {
    private IoTasks() {
    }

    interface IoTask {
        void run() throws IOException;
    }

    /** Runs every task; when some fail, the first failure is thrown after all have finished. */
    static void runAll(ExecutorService pool, List<IoTask> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> futures = new ArrayList<>(tasks.size());
        for (IoTask t : tasks) {
            futures.add(CompletableFuture.runAsync(() -> {
                try {
                    t.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, pool));
        }
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        } catch (java.util.concurrent.CancellationException e) {
            throw new InterruptedIOException("cancelled");
        }
    }
}
