package io.berth.server.cli;

import io.berth.core.storage.StorageDriver;
import io.berth.gc.job.JobFiles;
import io.berth.gc.job.JsonReports;
import io.berth.gc.job.Progress;
import io.berth.gc.job.Workers;
import io.berth.migrate.JobState;
import io.berth.migrate.MigrationReport;
import io.berth.migrate.RepositoryGlob;
import io.berth.migrate.SourceFormat;
import io.berth.migrate.V1Migration;
import io.berth.migrate.copy.CopyOptions;
import io.berth.migrate.copy.CopyReport;
import io.berth.migrate.copy.StoreCopier;
import io.berth.migrate.v1.Anomaly;
import io.berth.migrate.v1.LayerConverter;
import io.berth.migrate.v1.V2Image;
import io.berth.server.config.ConfigException;
import io.berth.server.storage.StorageLocation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth migrate --from SRC --to DST}: a legacy V1 store to a distribution-layout store, or
 * a V2 store to another backend. Exit 0 when every tag was migrated, 1 when some were skipped
 * (listed in the report), 2 when the migration could not run.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Migrate a V1 registry store (docker-registry) to V2, or copy a V2 store to another backend.",
            "SRC and DST are storage URLs (file:///path, s3://bucket/prefix?region=&endpoint=, azure://account/container/prefix)"
                + " or distribution config.yml files.",
            "Exit status: 0 every tag migrated, 1 some tags skipped (see the report), 2 could not run."})
public final class MigrateCommand implements Callable<Integer> {

    enum Format { auto, v1, v2 }

    enum ManifestFormat { docker, oci }

    enum EmptyLayers { keep, drop }

    @Option(names = "--from", required = true, paramLabel = "SRC", description = "the source store")
    String from;

    @Option(names = "--to", required = true, paramLabel = "DST", description = "the destination store")
    String to;

    @Option(names = "--source-format", defaultValue = "auto", paramLabel = "auto|v1|v2",
            description = "layout of the source (default: detected)")
    Format sourceFormat;

    @Option(names = "--dry-run", description = "print the plan (repositories, tags, images, bytes, anomalies); write nothing")
    boolean dryRun;

    @Option(names = "--workers", paramLabel = "N", description = "parallel workers (default: per destination backend; V1 to a filesystem: two per core)")
    int workers;

    @Option(names = "--repository", paramLabel = "GLOB",
            description = "only repositories matching (V1 or V2 name; * within a component, ** across); repeatable")
    List<String> repositories;

    @Option(names = "--format", defaultValue = "docker", paramLabel = "docker|oci",
            description = "manifest format for V1 images (default: docker schema2)")
    ManifestFormat format;

    @Option(names = "--lowercase-names", description = "map V1 names with upper case to lower case (collisions are skipped)")
    boolean lowercaseNames;

    @Option(names = "--keep-library-prefix", description = "keep V1 library/NAME as library/NAME (default: NAME)")
    boolean keepLibraryPrefix;

    @Option(names = "--empty-layers", defaultValue = "keep", paramLabel = "keep|drop",
            description = "keep empty V1 layers as layers (docker-compatible, default) or drop them as empty_layer history")
    EmptyLayers emptyLayers;

    @Option(names = "--report", paramLabel = "FILE", description = "write the JSON report here")
    Path report;

    @Option(names = "--state", paramLabel = "FILE",
            description = "SQLite job state for resuming (default: next to the report, else ./berth-migrate-state.db)")
    Path state;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        try {
            if (report != null) {
                JobFiles.checkWritable(report, "the report");
            }
            if (state != null && !dryRun) {
                JobFiles.checkWritable(state, "the state database");
            }
        } catch (IOException e) {
            err.println("berth migrate: " + e.getMessage());
            return 2;
        }
        if (!dryRun) { // both overlap opening the stores and scanning the source
            JobState.preload();
            LayerConverter.warmUp();
        }
        StorageLocation src;
        StorageLocation dst = null;
        try {
            src = StorageLocation.open(from);
        } catch (ConfigException e) {
            err.println("berth migrate: " + e.getMessage());
            return 2;
        }
        try {
            SourceFormat fmt;
            if (sourceFormat == Format.auto) {
                Optional<SourceFormat> detected = SourceFormat.detect(src.driver());
                if (detected.isEmpty()) {
                    err.println("berth migrate: " + src.description() + " holds neither a V1 store (images/, repositories/)"
                            + " nor a V2 store (docker/registry/v2); use --source-format if it is empty on purpose");
                    return 2;
                }
                fmt = detected.get();
            } else {
                fmt = sourceFormat == Format.v1 ? SourceFormat.V1 : SourceFormat.V2;
            }
            if (!dryRun || fmt == SourceFormat.V2) { // a V1 plan needs no destination: a dry run must not create one
                try {
                    dst = StorageLocation.open(to);
                } catch (ConfigException e) {
                    err.println("berth migrate: " + e.getMessage());
                    return 2;
                }
            }
            RepositoryGlob glob = new RepositoryGlob(repositories);
            if (fmt == SourceFormat.V2) {
                return copyV2(src.driver(), dst == null ? null : dst.driver(), glob, err);
            }
            V1Migration.Options options = new V1Migration.Options(workers, dryRun, glob,
                    format == ManifestFormat.oci ? V2Image.Format.OCI : V2Image.Format.DOCKER,
                    lowercaseNames, keepLibraryPrefix,
                    emptyLayers == EmptyLayers.drop ? V2Image.EmptyLayers.DROP : V2Image.EmptyLayers.KEEP, quiet);
            V1Migration migration = new V1Migration(src.driver(), src.description(),
                    dst == null ? null : dst.driver(), dst == null ? to : dst.description(), options);
            MigrationReport r;
            if (dryRun) {
                r = migration.run(null);
            } else {
                try (JobState js = JobState.open(statePath())) {
                    r = migration.run(js);
                }
            }
            if (report != null) {
                JsonReports.write(report, r);
            }
            printSummary(r, err);
            return r.complete() ? 0 : 1;
        } catch (JobState.StateMismatchException e) {
            err.println("berth migrate: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("berth migrate: failed: " + (e instanceof IOException ? JobFiles.describe(e) : e));
            return 2;
        } finally {
            close(src.driver());
            if (dst != null) {
                close(dst.driver());
            }
        }
    }

    private Path statePath() {
        if (state != null) {
            return state;
        }
        if (report != null) {
            Path dir = report.toAbsolutePath().getParent();
            return dir.resolve(report.getFileName() + ".state.db");
        }
        return Path.of("berth-migrate-state.db");
    }

    private int copyV2(StorageDriver src, StorageDriver dst, RepositoryGlob glob, PrintStream err) throws Exception {
        int n = workers > 0 ? workers : Workers.defaultFor(dst == null ? src.name() : dst.name());
        CopyReport r;
        try (Progress progress = Progress.start("copy V2 store", "bytes", quiet)) {
            r = new StoreCopier(src, dst, new CopyOptions(n, dryRun, name -> glob.matches(name.value()), true))
                    .run(progress);
        }
        if (report != null) {
            JsonReports.write(report, r);
        }
        if (!quiet) {
            err.printf(Locale.ROOT, "berth migrate: %s%d repositories; blobs %d copied, %d present; manifests %d copied;"
                            + " tags %d copied; %.1f MB; %d problems, %d verify failures, %d errors%n",
                    r.dryRun() ? "plan: " : "", r.repositories(), r.blobsCopied(), r.blobsSkipped(), r.manifestsCopied(),
                    r.tagsCopied(), r.bytesCopied() / 1e6, r.problems().size(), r.verifyFailures().size(),
                    r.errors().size());
        }
        return r.clean() ? 0 : 1;
    }

    private void printSummary(MigrationReport r, PrintStream out) {
        if (quiet) {
            return;
        }
        MigrationReport.Summary s = r.summary();
        out.printf(Locale.ROOT, "berth migrate: %s%d repositories, %d tags (%d migrated, %d unchanged, %d skipped),"
                        + " %d images, %.1f MB (%.1f MB read, %.1f MB/s); %d errors, %d warnings%n",
                r.dryRun() ? "plan: " : "", s.repositories(), s.tags(), s.tagsMigrated(), s.tagsUnchanged(),
                s.tagsSkipped(), s.images(), s.bytes() / 1e6, s.bytesRead() / 1e6, s.megabytesPerSecond(),
                s.errors(), s.warnings());
        int shown = 0;
        for (Anomaly a : r.anomalies()) {
            if (a.severity() == Anomaly.Severity.I) {
                continue;
            }
            if (shown++ == 50) {
                out.println("  … more in the report");
                break;
            }
            out.println("  " + a.severity() + " " + a.kind().id() + " " + (a.repository() == null ? "" : a.repository())
                    + (a.tag() == null ? "" : ":" + a.tag()) + (a.imageId() == null ? "" : " image " + a.imageId())
                    + " — " + a.detail());
        }
        if (r.dryRun()) {
            for (MigrationReport.TagResult t : r.tags()) {
                if (t.status() == MigrationReport.TagStatus.PLANNED) {
                    out.println("  plan " + t.v1Repository() + ":" + t.tag() + " -> " + t.repository() + ":" + t.tag());
                }
            }
        }
    }

    private static void close(StorageDriver d) {
        try {
            d.close();
        } catch (Exception e) {
            // closing at exit
        }
    }
}
