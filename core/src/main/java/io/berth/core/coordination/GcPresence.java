package io.berth.core.coordination;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a {@code berth gc} and the registries serving the same store keep out of each other's way,
 * through two kinds of file beside the layout ({@link PathLayout#GC_RUNNING}, {@link
 * PathLayout#GC_CACHES}). The problem: a registry's blob descriptor cache (distribution's
 * {@code storage.cache.blobdescriptor: inmemory}) keeps answering "this repository has that blob"
 * after gc deleted it, so a client re-pushing the image skips the upload and the registry accepts a
 * manifest whose blobs are gone; with distribution the cure is a restart after every gc.
 *
 * <ul>
 * <li>A registry whose cache is on registers itself ({@code gc/caches/<id>}, rewritten every
 *     {@link #HEARTBEAT}), looks for {@code gc/running} every {@link #POLL}, and uses its cache only
 *     within {@link #TRUST} of the start of a look that found none. A look that finds a marker, or
 *     fails, empties the cache.</li>
 * <li>gc writes {@code gc/running} before anything else, rewrites it every {@link #HEARTBEAT} and
 *     removes it when done. When a registration exists it deletes nothing until {@link #FENCE}
 *     after writing the marker: by then no registry trusts anything it cached before.</li>
 * </ul>
 *
 * A marker or registration older than {@link #STALE} is a crashed process's and is ignored (gc
 * deletes registrations older than {@link #FORGOTTEN}); ages are judged generously because the
 * store's clock and this host's may differ. On S3 a registry's
 * share is one HEAD a second and one PUT a minute; gc's, one listing and a PUT a minute.
 */
public final class GcPresence {
    public static final Duration POLL = Duration.ofSeconds(1);
    /** Several looks long, so that a look slowed down by a loaded backend does not empty the cache. */
    public static final Duration TRUST = Duration.ofSeconds(5);
    /** At least {@link #TRUST}: a registry that looked just before the marker was written trusts no longer. */
    public static final Duration FENCE = Duration.ofSeconds(6);
    public static final Duration HEARTBEAT = Duration.ofSeconds(60);
    /** gc refuses to start while another gc's marker is younger than this (three heartbeats). */
    public static final Duration ALIVE = Duration.ofMinutes(3);
    /** Ten heartbeats: a live process's file is never that old unless clocks differ by minutes. */
    public static final Duration STALE = Duration.ofMinutes(10);
    /** Registrations of registries that stopped without removing theirs are deleted by gc after this. */
    public static final Duration FORGOTTEN = Duration.ofDays(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    private GcPresence() {
    }

    /** gc's marker, if there is one younger than {@link #STALE}. */
    public static Optional<FileInfo> runningGc(StorageDriver driver, Instant now) throws IOException {
        try {
            FileInfo f = driver.statFile(PathLayout.GC_RUNNING);
            return f.modTime().isAfter(now.minus(STALE)) ? Optional.of(f) : Optional.empty();
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The registrations of registries with a descriptor cache. */
    public static List<FileInfo> registrations(StorageDriver driver) throws IOException {
        List<FileInfo> out = new ArrayList<>();
        try {
            driver.walk(PathLayout.GC_CACHES, f -> {
                if (!f.isDirectory()) {
                    out.add(f);
                }
                return WalkVisitor.Result.CONTINUE;
            });
        } catch (PathNotFoundException e) {
            return out;
        }
        return out;
    }

    /**
     * What a marker or registration says of its writer, for the operator who finds one and for a
     * later gc on the same machine: {@link #writerIsGone} tells from it whether the writer died.
     */
    public static byte[] describe(String process, Instant since) {
        return describe(process, since, ProcessHandle.current(), processSpace());
    }

    static byte[] describe(String process, Instant since, ProcessHandle writer, String space) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process", process);
        m.put("host", hostName());
        m.put("pid", writer.pid());
        m.put("since", since.toString());
        writer.info().startInstant().ifPresent(t -> m.put("started", t.toString()));
        if (space != null) {
            m.put("space", space);
        }
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the marker's writer is known to have stopped: it ran in this process space (same
     * kernel boot and pid namespace, so its pid means here what it meant there) and no process with
     * its pid and start time is left. A gc stopped by Ctrl-C, kill or the OOM killer leaves its
     * marker behind; without this the next run on that machine would wait {@link #ALIVE} for it.
     * Anything else (another machine or container, an older marker, an unreadable one) is unknown:
     * false.
     */
    public static boolean writerIsGone(byte[] marker) {
        return writerIsGone(marker, processSpace());
    }

    static boolean writerIsGone(byte[] marker, String space) {
        try {
            Map<?, ?> m = JSON.readValue(marker, Map.class);
            if (space == null || !space.equals(m.get("space")) || !(m.get("pid") instanceof Number pid)
                    || !(m.get("started") instanceof String started)) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid.longValue()).filter(ProcessHandle::isAlive);
            Instant writerStart = Instant.parse(started);
            // within a second: the start time is derived from clock ticks, which other JDKs may round otherwise
            return p.isEmpty() || p.get().info().startInstant()
                    .map(t -> Duration.between(t, writerStart).abs().compareTo(Duration.ofSeconds(1)) > 0)
                    .orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The host, the kernel's boot id and this process's pid namespace: equal only where pids name the
     * same processes. Null where Linux's /proc does not tell.
     */
    static String processSpace() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            String pidns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return hostName() + " " + boot + " " + pidns;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Without a DNS look-up, which can take seconds on a badly configured host. */
    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
