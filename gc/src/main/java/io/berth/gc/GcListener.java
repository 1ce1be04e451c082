package io.berth.gc;

/** Hears of each deletion as it happens (or, in a dry run, would happen): the CLI prints them. */
public interface GcListener {
    GcListener NONE = new GcListener() {
    };

    enum Kind { MANIFEST, TAG_INDEX_ENTRY, LAYER_LINK, UPLOAD, REPOSITORY, BLOB }

    /** @param repository null for blobs */
    default void removed(Kind kind, String repository, String item, long bytes, boolean dryRun) {
    }

    /** A phase starts: "mark", "blobs", "recheck", "sweep blobs". */
    default void phase(String name) {
    }
}
