package io.berth.server.metrics;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Times every call into a driver as {@code registry_storage_action_seconds{driver,action,outcome}}
 * (distribution's metric name, plus the outcome). Readers and writers are timed until they are
 * open, and a writer's commit on its own; the bytes they move are the HTTP metrics' business.
 */
final class TimedStorageDriver implements StorageDriver {
    private final StorageDriver d;
    private final MeterRegistry registry;

    TimedStorageDriver(StorageDriver driver, MeterRegistry registry) {
        this.d = driver;
        this.registry = registry;
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private interface VoidCall {
        void run() throws IOException;
    }

    private <T> T time(String action, Call<T> call) throws IOException {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T r = call.run();
            outcome = "success";
            return r;
        } catch (io.berth.core.storage.PathNotFoundException e) {
            outcome = "not_found"; // the usual answer to stat and getContent, not a fault
            throw e;
        } finally {
            Timer.builder("registry.storage.action")
                    .description("Storage driver calls by operation")
                    .tags("driver", d.name(), "action", action, "outcome", outcome)
                    .serviceLevelObjectives(Metrics.STORAGE_BUCKETS)
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private void timeVoid(String action, VoidCall call) throws IOException {
        time(action, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public String name() {
        return d.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return time("getcontent", () -> d.getContent(path));
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        timeVoid("putcontent", () -> d.putContent(path, content));
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return time("reader", () -> d.reader(path, offset));
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        FileWriter w = time("writer", () -> d.writer(path, append));
        return new FileWriter() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                w.write(b, off, len);
            }

            @Override
            public long size() {
                return w.size();
            }

            @Override
            public void commit() throws IOException {
                timeVoid("commit", w::commit);
            }

            @Override
            public void cancel() throws IOException {
                timeVoid("cancel", w::cancel);
            }

            @Override
            public void flush() throws IOException {
                w.flush();
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return time("stat", () -> d.stat(path));
    }

    @Override
    public void deleteEntries(List<String> files) throws IOException {
        time("delete", () -> {
            d.deleteEntries(files);
            return null;
        });
    }

    @Override
    public FileInfo statFile(String path) throws IOException {
        return time("stat", () -> d.statFile(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return time("list", () -> d.list(path));
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        timeVoid("move", () -> d.move(sourcePath, destPath));
    }

    @Override
    public void delete(String path) throws IOException {
        timeVoid("delete", () -> d.delete(path));
    }

    @Override
    public Optional<String> redirectUrl(String path, String method, Duration expiry) throws IOException {
        return time("redirecturl", () -> d.redirectUrl(path, method, expiry));
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        timeVoid("walk", () -> d.walk(path, visitor));
    }

    @Override
    public Optional<Path> localFile(String path) {
        return d.localFile(path);
    }

    @Override
    public void checkAccess() throws IOException {
        d.checkAccess();
    }

    @Override
    public void close() throws IOException {
        d.close();
    }

    @Override
    public String toString() {
        return d.toString();
    }
}
