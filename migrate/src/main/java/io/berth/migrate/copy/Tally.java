package io.berth.migrate.copy;

import io.berth.migrate.copy.CopyReport.Failure;
import io.berth.migrate.copy.CopyReport.Problem;
import io.berth.migrate.copy.CopyReport.TagRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The counters and lists of a run, filled from many threads, turned into a {@link CopyReport} at the end. */
final class Tally {
    final AtomicInteger repositories = new AtomicInteger();
    final AtomicLong tagsCopied = new AtomicLong();
    final AtomicLong tagsSkipped = new AtomicLong();
    final AtomicLong manifestsCopied = new AtomicLong();
    final AtomicLong manifestsSkipped = new AtomicLong();
    final AtomicLong blobsCopied = new AtomicLong();
    final AtomicLong blobsSkipped = new AtomicLong();
    final AtomicLong bytesCopied = new AtomicLong();
    final AtomicLong layerLinksCopied = new AtomicLong();
    final AtomicLong layerLinksSkipped = new AtomicLong();
    final AtomicLong danglingLayerLinks = new AtomicLong();
    private final ConcurrentLinkedQueue<TagRef> tagsDeleted = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<TagRef> tagsKept = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Failure> verifyFailures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Problem> problems = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Failure> errors = new ConcurrentLinkedQueue<>();

    void tagDeleted(String repository, String tag) {
        tagsDeleted.add(new TagRef(repository, tag));
    }

    void tagKept(String repository, String tag) {
        tagsKept.add(new TagRef(repository, tag));
    }

    void verifyFailure(String path, String reason) {
        verifyFailures.add(new Failure(path, reason));
    }

    void problem(Problem.Kind kind, String repository, String path, String reason) {
        problems.add(new Problem(kind, repository, path, reason));
    }

    void error(String path, String reason) {
        errors.add(new Failure(path, reason));
    }

    CopyReport report(boolean dryRun, long durationMillis) {
        return new CopyReport(dryRun, repositories.get(),
                tagsCopied.get(), tagsSkipped.get(), manifestsCopied.get(), manifestsSkipped.get(),
                blobsCopied.get(), blobsSkipped.get(), bytesCopied.get(),
                layerLinksCopied.get(), layerLinksSkipped.get(), danglingLayerLinks.get(),
                sorted(tagsDeleted, Comparator.comparing(TagRef::repository).thenComparing(TagRef::tag)),
                sorted(tagsKept, Comparator.comparing(TagRef::repository).thenComparing(TagRef::tag)),
                sorted(verifyFailures, Comparator.comparing(Failure::path)),
                sorted(problems, Comparator.comparing(Problem::repository).thenComparing(Problem::path)
                        .thenComparing(Problem::kind)),
                sorted(errors, Comparator.comparing(Failure::path)),
                durationMillis);
    }

    /** Reports list in a stable order, whatever order the workers finished in. */
    private static <T> List<T> sorted(ConcurrentLinkedQueue<T> q, Comparator<T> order) {
        List<T> out = new ArrayList<>(q);
        out.sort(order);
        return out;
    }
}
