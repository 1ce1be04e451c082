package io.berth.server.cli;

import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.PathNotFoundException;
import io.berth.gc.job.JobFiles;
import io.berth.gc.job.JsonReports;
import io.berth.gc.job.Workers;
import io.berth.server.config.ConfigException;
import io.berth.server.storage.StorageLocation;
import io.berth.verify.Problem;
import io.berth.verify.TimeSpecs;
import io.berth.verify.VerifyOptions;
import io.berth.verify.VerifyReport;
import io.berth.verify.Verifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth verify CONFIG|URL}: re-hashes blobs and checks links, manifests, tags and uploads.
 * Exit codes: 0 clean, 1 problems found, 2 could not run.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a store's integrity: every blob re-hashed against its digest, every link, manifest"
                + " and tag checked, stale uploads and stray files listed.",
                "Exit codes: 0 clean, 1 problems found, 2 could not run."})
public final class VerifyCommand implements Callable<Integer> {
    static final int CLEAN = 0;
    static final int PROBLEMS = 1;
    static final int FAILED = 2;
    private static final int MAX_LISTED = 200;

    @Parameters(index = "0", paramLabel = "CONFIG|URL",
            description = "config.yml (as for serve) or a storage URL: file:///path, s3://bucket/prefix?region=&endpoint=,"
                    + " azure://account/container")
    String storage;

    @Option(names = "--repository", paramLabel = "NAME",
            description = "Check only this repository and the blobs it reaches.")
    String repository;

    @Option(names = "--workers", paramLabel = "N",
            description = "Blobs hashed in parallel (default: cores for filesystem, 64 for s3/azure).")
    Integer workers;

    @Option(names = "--state", paramLabel = "FILE",
            description = "SQLite history of verified blobs (digest, size, verified-at), updated by every run.")
    Path state;

    @Option(names = "--incremental",
            description = "Skip blobs the --state history shows verified since --since (and unchanged in size).")
    boolean incremental;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "With --incremental: a duration back from now (30d, 12h) or a time (2024-05-01T00:00:00Z,"
                    + " 2024-05-01). Default: 30d.")
    String since;

    @Option(names = "--quarantine",
            description = "Move corrupt blobs under docker/registry/v2/quarantine/ (never deleted); the report says where.")
    boolean quarantine;

    @Option(names = "--upload-max-age", paramLabel = "DURATION", defaultValue = "7d",
            description = "Uploads older than this are reported stale (default: ${DEFAULT-VALUE}).")
    String uploadMaxAge;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report here.")
    Path report;

    @Option(names = {"-q", "--quiet"},
            description = "No progress and no summary; problems are still listed, so cron mails only when one is found.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        VerifyOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("berth verify: " + e.getMessage());
            return FAILED;
        }
        try {
            if (report != null) {
                JobFiles.checkWritable(report, "the report");
            }
            if (state != null) {
                JobFiles.checkWritable(state, "the state database");
            }
        } catch (IOException e) {
            err.println("berth verify: " + e.getMessage());
            return FAILED;
        }
        StorageLocation location;
        try {
            location = StorageLocation.open(storage);
        } catch (ConfigException e) {
            err.println("berth verify: " + e.getMessage());
            return FAILED;
        } catch (RuntimeException e) {
            err.println("berth verify: cannot open " + storage + ": " + e);
            return FAILED;
        }
        VerifyReport result;
        try (var driver = location.driver()) {
            if (workers == null) {
                options = withWorkers(options, Workers.defaultFor(driver.name()));
            }
            // a mistyped path or repository must not pass as "clean"
            String missing = options.repository() == null ? PathLayout.ROOT : PathLayout.repository(options.repository());
            try {
                driver.stat(missing);
            } catch (PathNotFoundException e) {
                err.println("berth verify: " + (options.repository() == null
                        ? "no registry store in " + location.description() + " (" + PathLayout.ROOT + " does not exist)"
                        : "repository " + options.repository() + " does not exist in " + location.description()));
                return FAILED;
            }
            result = Verifier.run(driver, location.description(), options);
        } catch (IOException | RuntimeException e) {
            err.println("berth verify: could not complete: " + JobFiles.describe(e));
            return FAILED;
        }
        print(result, out);
        if (report != null) {
            try {
                JsonReports.write(report, result);
            } catch (IOException e) {
                err.println("berth verify: the run completed, but the report " + report + " could not be written: "
                        + JobFiles.describe(e));
                return FAILED;
            }
        }
        return result.clean() ? CLEAN : PROBLEMS;
    }

    private VerifyOptions options() {
        if (incremental && state == null) {
            throw new IllegalArgumentException("--incremental needs --state FILE (where the history is kept)");
        }
        if (since != null && !incremental) {
            throw new IllegalArgumentException("--since only applies with --incremental");
        }
        if (workers != null && workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1");
        }
        RepositoryName repo = null;
        if (repository != null) {
            if (!RepositoryName.isValid(repository)) {
                throw new IllegalArgumentException("--repository " + repository + " is not a valid repository name");
            }
            repo = new RepositoryName(repository);
        }
        Instant skip = incremental ? TimeSpecs.since(since == null ? "30d" : since, Instant.now()) : null;
        Duration maxAge = TimeSpecs.duration(uploadMaxAge);
        return new VerifyOptions(repo, workers == null ? 1 : workers, state, skip, quarantine, maxAge, quiet);
    }

    private static VerifyOptions withWorkers(VerifyOptions o, int n) {
        return new VerifyOptions(o.repository(), n, o.state(), o.skipVerifiedSince(), o.quarantine(),
                o.uploadMaxAge(), o.quiet());
    }

    private void print(VerifyReport r, PrintStream out) {
        List<Problem> problems = r.problems();
        for (int i = 0; i < problems.size() && i < MAX_LISTED; i++) {
            out.println(problems.get(i));
        }
        if (problems.size() > MAX_LISTED) {
            out.println("... and " + (problems.size() - MAX_LISTED) + " more"
                    + (report != null ? " (all in " + report + ")" : " (--report FILE lists them all)"));
        }
        if (quiet) {
            return;
        }
        VerifyReport.Totals t = r.totals();
        out.printf("berth verify: %s (%s): %s%n", r.store(), r.scope(),
                problems.isEmpty() ? "clean" : problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                        + " " + r.problemsByKind());
        out.printf("  %d repositories, %d links, %d manifests, %d tags, %d uploads%n", t.repositories(), t.links(),
                t.manifests(), t.tags(), t.uploads());
        out.printf("  %d blobs: %d hashed (%s in %.1f s, %s/s), %d skipped as recently verified%s; %.1f s in all%n",
                t.blobs(), t.blobsHashed(), bytes(t.bytesHashed()), t.hashSeconds(), bytes(t.hashBytesPerSecond()),
                t.blobsSkipped(), t.blobsVanished() > 0 ? ", " + t.blobsVanished() + " deleted meanwhile" : "",
                r.durationSeconds());
        if (report != null) {
            out.println("  report: " + report.toAbsolutePath());
        }
    }

    private static String bytes(double n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (n >= 1024 && u < units.length - 1) {
            n /= 1024;
            u++;
        }
        return String.format(u == 0 ? "%.0f %s" : "%.1f %s", n, units[u]);
    }
}
