package io.berth.migrate.copy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What a {@link StoreCopier} run did (or, with {@code dryRun}, would do). "Copied" counts what
 * was written to the destination, "skipped" what was already there with the same digest (and,
 * for blobs, the same size). Nothing is counted twice: a blob shared by ten repositories is one
 * blob.
 *
 * @param repositories       source repositories that passed the filter and were copied
 * @param tagsCopied         tags whose current link was written (new or moved)
 * @param manifestsCopied    revision links written (child manifests and referrers included)
 * @param layerLinksCopied   {@code _layers} links written
 * @param danglingLayerLinks source layer links whose blob data is missing (distribution's gc leaves
 *                           them); not copied, not a problem: neither side serves those blobs
 * @param tagsDeleted        tags the source no longer has, deleted at the destination (see StoreCopier)
 * @param tagsKept           tags the destination has and the source does not, left alone because
 *                           nothing shows they came from the source
 * @param verifyFailures     blobs whose copy at the destination did not hash to their digest
 * @param problems           what is wrong in the source, and what it kept from being copied
 * @param errors             storage errors (network, permissions) that stopped part of the copy
 */
@JsonIgnoreProperties(value = {"clean"}, allowGetters = true)
public record CopyReport(
        boolean dryRun,
        int repositories,
        long tagsCopied,
        long tagsSkipped,
        long manifestsCopied,
        long manifestsSkipped,
        long blobsCopied,
        long blobsSkipped,
        long bytesCopied,
        long layerLinksCopied,
        long layerLinksSkipped,
        long danglingLayerLinks,
        List<TagRef> tagsDeleted,
        List<TagRef> tagsKept,
        List<Failure> verifyFailures,
        List<Problem> problems,
        List<Failure> errors,
        long durationMillis) {

    public CopyReport {
        tagsDeleted = List.copyOf(tagsDeleted);
        tagsKept = List.copyOf(tagsKept);
        verifyFailures = List.copyOf(verifyFailures);
        problems = List.copyOf(problems);
        errors = List.copyOf(errors);
    }

    /** A storage path and what went wrong with it. */
    public record Failure(String path, String reason) {
    }

    /** A tag of a repository. */
    public record TagRef(String repository, String tag) {
    }

    /** Something in the source that could not be copied as it is, or that kept something from being copied. */
    public record Problem(Kind kind, String repository, String path, String reason) {
        public enum Kind {
            /** A revision whose manifest blob is missing, too large or does not parse. */
            UNREADABLE_MANIFEST,
            /** A blob a manifest needs has no data in the source. */
            MISSING_BLOB,
            /** A source blob whose bytes do not hash to its digest; never made visible at the destination. */
            CORRUPT_BLOB,
            /** A tag's current link does not hold a digest. */
            BROKEN_TAG,
            /** A tag points at a manifest the repository does not hold. */
            DANGLING_TAG,
            /** A manifest not copied because something it needs was not (named in the reason). */
            SKIPPED_MANIFEST,
            /** A tag not written because its manifest was not copied. */
            SKIPPED_TAG
        }
    }

    /** True when everything the source serves was copied: no problem, no verify failure, no error. */
    @JsonProperty("clean")
    public boolean clean() {
        return verifyFailures.isEmpty() && problems.isEmpty() && errors.isEmpty();
    }
}
