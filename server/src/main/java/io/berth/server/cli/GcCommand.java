package io.berth.server.cli;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.GarbageCollector;
import io.berth.gc.GcListener;
import io.berth.gc.GcOptions;
import io.berth.gc.GcReport;
import io.berth.gc.job.Durations;
import io.berth.gc.job.JobFiles;
import io.berth.gc.job.JsonReports;
import io.berth.gc.job.Workers;
import io.berth.server.config.ConfigException;
import io.berth.server.storage.StorageLocation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth gc CONFIG|URL}: distribution's {@code registry garbage-collect}, with its flags,
 * safe to run while the registry serves. Exit codes: 0 done, 1 some deletions failed, 2 could
 * not run (bad arguments or configuration, storage unreachable or unreadable).
 */
@Command(name = "gc", aliases = "garbage-collect", mixinStandardHelpOptions = true,
        description = {"Delete blobs, manifests, layer links and uploads nothing uses any more.",
                "Safe while the registry runs: nothing modified within --grace-period is deleted."},
        exitCodeOnInvalidInput = 2, exitCodeOnExecutionException = 2)
public final class GcCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG|URL",
            description = "config.yml (as for serve) or a storage URL: file:///srv/registry, s3://bucket/prefix?region=..., azure://account/container")
    String storage;

    @Option(names = {"-d", "--dry-run"}, description = "Print what would be deleted and how many bytes; change nothing.")
    boolean dryRun;

    @Option(names = {"-m", "--delete-untagged"},
            description = "Delete manifests no tag reaches (children of a tagged index and referrers of a kept manifest are kept).")
    boolean deleteUntagged;

    @Option(names = "--upload-max-age", paramLabel = "DURATION", defaultValue = "7d",
            description = "Delete upload sessions started longer ago than this (default: ${DEFAULT-VALUE}).")
    String uploadMaxAge;

    @Option(names = "--grace-period", paramLabel = "DURATION", defaultValue = "1h",
            description = "Never delete anything modified more recently than this (default: ${DEFAULT-VALUE}).")
    String gracePeriod;

    @Option(names = "--prune-empty-repositories", description = "Delete repositories left with no tags and no manifests.")
    boolean pruneEmpty;

    @Option(names = "--workers", paramLabel = "N",
            description = "Concurrent storage operations (default: 64 for s3/azure, 4 per core and at least 8 for filesystem).")
    Integer workers;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report of the run to FILE.")
    Path report;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no listing; only errors and the summary line.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        Duration maxAge;
        Duration grace;
        try {
            maxAge = Durations.parse(uploadMaxAge);
            grace = Durations.parse(gracePeriod);
        } catch (IllegalArgumentException e) {
            err.println("berth gc: " + e.getMessage());
            return 2;
        }
        if (workers != null && workers < 1) {
            err.println("berth gc: --workers must be at least 1");
            return 2;
        }
        if (report != null) {
            try {
                JobFiles.checkWritable(report, "the report");
            } catch (IOException e) {
                err.println("berth gc: " + e.getMessage());
                return 2;
            }
        }
        StorageLocation loc;
        try {
            loc = StorageLocation.open(storage);
        } catch (ConfigException e) {
            err.println("berth gc: cannot open storage: " + e.getMessage());
            return 2;
        }
        try (StorageDriver driver = loc.driver()) {
            int n = workers != null ? workers : Workers.gcDefaultFor(driver.name());
            GcOptions opts = new GcOptions(dryRun, deleteUntagged, maxAge, grace, pruneEmpty, n);
            // a mistyped path must not pass as "nothing to collect" (distribution fails there too)
            try {
                driver.stat(PathLayout.ROOT);
            } catch (PathNotFoundException e) {
                err.println("berth gc: no registry store in " + loc.description() + " (" + PathLayout.ROOT
                        + " does not exist)");
                return 2;
            }
            GcReport r;
            try {
                r = new GarbageCollector(driver, opts).describedAs(loc.description())
                        .listener(quiet ? GcListener.NONE : new Printer(System.out)).progress(!quiet).run();
            } catch (IOException | RuntimeException e) {
                err.println("berth gc: could not complete the mark on " + loc.description() + ": " + e
                        + "\nberth gc: no blob was deleted");
                return 2;
            }
            summary(r, quiet ? err : System.out);
            for (GcReport.Failure f : r.failures()) {
                err.println("berth gc: failed to delete " + f.path() + ": " + f.error());
            }
            for (String note : r.notes()) { // damage that made gc keep things: on stderr, so cron mails it
                err.println("berth gc: note: " + note);
            }
            if (report != null) {
                try {
                    JsonReports.write(report, r);
                } catch (IOException e) {
                    err.println("berth gc: the run completed, but the report " + report + " could not be written: "
                            + JobFiles.describe(e));
                    return 2;
                }
            }
            return r.failed() ? 1 : 0;
        } catch (IOException e) {
            err.println("berth gc: " + JobFiles.describe(e));
            return 2;
        }
    }

    private static void summary(GcReport r, PrintStream out) {
        GcReport.Totals t = r.totals();
        out.printf(Locale.ROOT, "%s%d repositories, %d blobs (%d marked): %s %d blobs, %d manifests, %d tag index entries, "
                        + "%d layer links, %d uploads, %d repositories; %s in %.1f s%n",
                r.dryRun() ? "dry run: " : "", t.repositories(), t.blobsScanned(), t.blobsMarked(),
                r.dryRun() ? "would delete" : "deleted", t.blobs(), t.manifests(), t.tagIndexEntries(),
                t.layerLinks(), t.uploads(), t.repositoriesPruned(), bytes(t.bytesFreed()) + (r.dryRun() ? " to free" : " freed"),
                r.durationMillis() / 1000.0);
        if (!r.failures().isEmpty()) {
            out.println(r.failures().size() + " deletions failed");
        }
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** One line per deletion, in distribution's spirit ("blob eligible for deletion: ..."). */
    private static final class Printer implements GcListener {
        private final PrintStream out;

        Printer(PrintStream out) {
            this.out = out;
        }

        @Override
        public void removed(Kind kind, String repository, String item, long bytes, boolean dryRun) {
            String what = kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
            String line = (dryRun ? "would delete " : "deleted ") + what + " "
                    + (repository == null || kind == Kind.REPOSITORY ? "" : repository + " ") + item
                    + (bytes > 0 ? " (" + bytes(bytes) + ")" : "");
            synchronized (out) {
                out.println(line);
            }
        }
    }

    /** For tests: runs the command in-process and returns its exit code. */
    static int run(String... args) {
        return new CommandLine(new GcCommand()).execute(args);
    }
}
