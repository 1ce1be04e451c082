package io.berth.verify;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What {@code berth verify} can find wrong. Each fault is reported once, by the file that is
 * wrong: a blob whose content was lost is {@link #BLOB_MISSING}, not also a dangling link and a
 * manifest with a missing reference.
 */
public enum ProblemKind {
    /** A blob's content does not hash to the digest in its path (flipped bytes, truncation). */
    BLOB_DIGEST_MISMATCH("blob-digest-mismatch"),
    /** A blob could not be read (the backend failed on it), so it could not be checked. */
    BLOB_UNREADABLE("blob-unreadable"),
    /** A blob the repository links and needs (a manifest or tag refers to it) is gone from blobs/. */
    BLOB_MISSING("blob-missing"),
    /** A link file that does not hold a digest. */
    LINK_UNPARSABLE("link-unparsable"),
    /** A link file whose content names another digest than its path. */
    LINK_MISMATCH("link-mismatch"),
    /**
     * A link file that names its digest with more than the digest (a newline, spaces): Berth reads
     * it, distribution does not ("invalid checksum digest length"), so a store it serves breaks there.
     */
    LINK_NOT_CANONICAL("link-not-canonical"),
    /** A link file naming a blob that does not exist, and nothing in the repository needs it. */
    LINK_DANGLING("link-dangling"),
    /** A manifest revision whose blob is not a manifest (bad JSON, missing fields). */
    MANIFEST_UNPARSABLE("manifest-unparsable"),
    /** A manifest revision whose media type no registry serves. */
    MANIFEST_UNKNOWN_MEDIA_TYPE("manifest-unknown-media-type"),
    /** A manifest references a blob or child manifest that is neither in the store nor linked. */
    MANIFEST_REFERENCE_MISSING("manifest-reference-missing"),
    /** A manifest references a blob or child manifest that exists but is not linked in its repository. */
    MANIFEST_REFERENCE_NOT_LINKED("manifest-reference-not-linked"),
    /** A manifest's descriptor gives another size than the (intact) blob has. */
    MANIFEST_REFERENCE_SIZE_MISMATCH("manifest-reference-size-mismatch"),
    /** A tag whose current link names no revision of the repository. */
    TAG_DANGLING("tag-dangling"),
    /** A tag directory with index entries but no {@code current/link}: the tag resolves to nothing. */
    TAG_WITHOUT_CURRENT("tag-without-current"),
    /** An upload session older than {@code --upload-max-age}. */
    UPLOAD_STALE("upload-stale"),
    /** A file under blobs/ or repositories/ that is not part of the layout. */
    STRAY_FILE("stray-file");

    private final String id;

    ProblemKind(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }
}
