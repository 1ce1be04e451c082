package io.berth.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One finding: its kind, the storage path of the file that is wrong, the repository it belongs
 * to (null for blobs and stray files under blobs/), a human-readable detail and, for a
 * quarantined blob, where it was moved.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(ProblemKind kind, String path, String repository, String digest, String detail,
                      String quarantinedTo) {

    public Problem(ProblemKind kind, String path, String repository, String digest, String detail) {
        this(kind, path, repository, digest, detail, null);
    }

    Problem quarantined(String to) {
        return new Problem(kind, path, repository, digest, detail, to);
    }

    @Override
    public String toString() {
        return kind.id() + " " + path + (repository == null ? "" : " [" + repository + "]")
                + (detail == null ? "" : ": " + detail) + (quarantinedTo == null ? "" : " (moved to " + quarantinedTo + ")");
    }
}
