package io.berth.server.maintenance;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.StoreWalker;
import io.berth.server.config.GoDuration;
import io.berth.server.config.UploadPurgeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code storage.maintenance.uploadpurging}: removes upload sessions whose {@code startedat} is older
 * than {@code age}, as distribution's PurgeUploads does (an upload without a readable startedat is
 * kept: its age cannot be told). Runs in the background after a random jitter (distribution: up to
 * an hour; here also at most one interval, so a short interval means an early first run), then
 * every interval. Skipped while the registry is read-only: maintenance mode promises no writes.
 */
public final class UploadPurger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPurger.class);
    private static final Duration MAX_JITTER = Duration.ofMinutes(60);

    /** What a run found and did. */
    public record Result(int uploads, List<String> purged, List<String> errors, boolean dryRun) {
    }

    private final StorageDriver driver;
    private final UploadPurgeConfig cfg;
    private final boolean readOnly;
    private final Consumer<String> onPurged;
    private final Clock clock;
    private ScheduledExecutorService timer;

    /** {@code onPurged} hears each purged upload's id (the open-uploads gauge forgets it). */
    public UploadPurger(StorageDriver driver, UploadPurgeConfig cfg, boolean readOnly, Consumer<String> onPurged,
                        Clock clock) {
        this.driver = driver;
        this.cfg = cfg;
        this.readOnly = readOnly;
        this.onPurged = onPurged;
        this.clock = clock;
    }

    public void start() {
        if (!cfg.enabled()) {
            LOG.info("upload purging disabled");
            return;
        }
        if (readOnly) {
            LOG.info("upload purging paused: the registry is read-only");
            return;
        }
        long bound = Math.min(MAX_JITTER.toMillis(), cfg.interval().toMillis());
        long jitter = bound <= 0 ? 0 : new SecureRandom().nextLong(bound);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-upload-purge");
            t.setDaemon(true);
            return t;
        });
        LOG.info("upload purging: uploads older than {} removed every {}{}; first run in {}",
                GoDuration.format(cfg.age()), GoDuration.format(cfg.interval()), cfg.dryRun() ? " (dry run)" : "",
                GoDuration.format(Duration.ofMillis(jitter)));
        timer.scheduleWithFixedDelay(this::runLogged, jitter, cfg.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runLogged() {
        try {
            Result r = purge(clock.instant().minus(cfg.age()));
            LOG.info("upload purge finished: {} upload(s) seen, {} {}, {} error(s)", r.uploads(), r.purged().size(),
                    r.dryRun() ? "would be removed (dry run)" : "removed", r.errors().size());
            r.errors().forEach(e -> LOG.warn("upload purge: {}", e));
        } catch (Throwable t) {
            LOG.warn("upload purge failed: {}", t.toString());
        }
    }

    /** One pass: every upload started before {@code olderThan} is removed (or only listed on a dry run). */
    public Result purge(Instant olderThan) throws IOException {
        List<String> purged = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int[] seen = {0};
        new StoreWalker(driver).walkRepositories(new StoreWalker.Visitor() {
            @Override
            public void repository(RepositoryEntries repo) {
                for (Map.Entry<String, List<FileInfo>> upload : repo.uploads().entrySet()) {
                    seen[0]++;
                    String uuid = upload.getKey();
                    String dir = PathLayout.uploadDir(repo.name(), uuid);
                    Instant started;
                    try {
                        started = startedAt(PathLayout.uploadStartedAt(repo.name(), uuid));
                    } catch (IOException | DateTimeParseException e) {
                        errors.add(dir + ": unreadable startedat, kept: " + e.getMessage());
                        continue;
                    }
                    if (started == null || !started.isBefore(olderThan)) {
                        continue;
                    }
                    try {
                        if (!cfg.dryRun()) {
                            driver.delete(dir);
                            onPurged.accept(uuid);
                        }
                        LOG.info("upload {} of {} started {}: {}", uuid, repo.name(), started,
                                cfg.dryRun() ? "would be removed (dry run)" : "removed");
                        purged.add(dir);
                    } catch (PathNotFoundException e) {
                        // completed or cancelled meanwhile
                    } catch (IOException e) {
                        errors.add(dir + ": " + e.getMessage());
                    }
                }
            }
        });
        return new Result(seen[0], purged, errors, cfg.dryRun());
    }

    /** The upload's start, or null when it has no startedat file (never purged, as in distribution). */
    private Instant startedAt(String path) throws IOException {
        byte[] b;
        try {
            b = driver.getContent(path);
        } catch (PathNotFoundException e) {
            return null;
        }
        return OffsetDateTime.parse(new String(b, StandardCharsets.UTF_8).trim()).toInstant();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
