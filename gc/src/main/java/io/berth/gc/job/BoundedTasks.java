package io.berth.gc.job;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs I/O tasks on a pool with at most {@code maxInFlight} queued or running, so a fast walk
 * cannot pile up work (and the memory it holds) ahead of slow workers. The first failure is kept;
 * later submissions fail fast with it and {@link #await()} rethrows it.
 */
public final class BoundedTasks {

    @FunctionalInterface
    public interface IoTask {
        void run() throws IOException;
    }

    /** Work on one item, e.g. a repository a walk handed over. */
    @FunctionalInterface
    public interface ItemTask<T> {
        void accept(T item) throws IOException;
    }

    private final ExecutorService pool;
    private final int maxInFlight;
    private final Semaphore permits;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public BoundedTasks(ExecutorService pool, int maxInFlight) {
        this.pool = pool;
        this.maxInFlight = maxInFlight;
        this.permits = new Semaphore(maxInFlight);
    }

    /** Blocks while {@code maxInFlight} tasks are pending. */
    public void submit(IoTask task) throws IOException {
        rethrow();
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        try {
            pool.execute(() -> {
                try {
                    if (failure.get() == null) {
                        task.run();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    permits.release();
                }
            });
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Waits for every submitted task; rethrows the first failure. */
    public void await() throws IOException {
        try {
            permits.acquire(maxInFlight);
            permits.release(maxInFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof UncheckedIOException u) {
            throw u.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new IOException(t);
    }
}
