package io.berth.migrate.v1;

/**
 * One finding about the V1 store, in the vocabulary of the spec's edge-case table (§9).
 * {@code repository}, {@code tag} and {@code imageId} are null where they do not apply.
 */
public record Anomaly(Kind kind, Severity severity, String repository, String tag, String imageId, String detail) {

    /** E: the tag is not migrated; W: migrated (or nothing to migrate) but the operator must know; I: information. */
    public enum Severity { E, W, I }

    public enum Kind {
        TAG_IMAGE_MISSING(Severity.E),
        PARENT_MISSING(Severity.E),
        PARENT_CYCLE(Severity.E),
        ORPHAN_IMAGE(Severity.I),
        IMAGE_UPLOAD_INCOMPLETE(Severity.E),
        REPOSITORY_WITHOUT_TAGS(Severity.W),
        REPOSITORY_PRIVATE(Severity.I),
        LAYER_CHECKSUM_MISMATCH(Severity.E),
        LAYER_CORRUPT(Severity.E),
        LAYER_EMPTY_FILE(Severity.E),
        LAYER_MISSING(Severity.E),
        LAYER_NOT_A_TAR(Severity.E),
        CHECKSUM_MISSING(Severity.W),
        CHECKSUM_UNVERIFIABLE_LEGACY(Severity.W),
        JSON_ID_MISMATCH(Severity.E),
        JSON_INVALID(Severity.E),
        ANCESTRY_MISMATCH(Severity.W),
        CHAIN_TOO_DEEP(Severity.W),
        TAG_METADATA_COLLISION(Severity.I),
        TAG_INVALID_CONTENT(Severity.E),
        INVALID_REPOSITORY_NAME(Severity.E),
        REPOSITORY_NAME_LOWERCASED(Severity.W),
        REPOSITORY_NAME_COLLISION(Severity.E),
        INVALID_TAG(Severity.E),
        ESCAPED_NAME(Severity.W),
        LIBRARY_NAMESPACE_MAPPED(Severity.I),
        UNREADABLE_PATH(Severity.E);

        private final Severity severity;

        Kind(Severity severity) {
            this.severity = severity;
        }

        public Severity severity() {
            return severity;
        }

        /** The spec's spelling: {@code tag_image_missing}. */
        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Anomaly of(Kind kind, String repository, String tag, String imageId, String detail) {
        return new Anomaly(kind, kind.severity(), repository, tag, imageId, detail);
    }

    /** Same kind, with an explicit severity (an escaped name is W only when it decodes to several components). */
    public static Anomaly of(Kind kind, Severity severity, String repository, String tag, String imageId, String detail) {
        return new Anomaly(kind, severity, repository, tag, imageId, detail);
    }
}
