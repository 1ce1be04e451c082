package io.berth.core.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What {@link StorageDriver#stat} or a walk knows of a path. Directories have size 0. A file a
 * walk reports without stat-ing it ({@link WalkVisitor#namesSuffice}) has size -1 and no
 * modification time ({@link #unstated}, {@link #isStated}).
 *
 * @param contentMd5 the MD5 of the file's bytes in lower-case hex, when the backend reports it in
 *                   listings (an S3 ETag of a single-part upload, Azure's Content-MD5), else null.
 *                   Only a hint: callers use it to confirm what they expect a small file to hold
 *                   ({@link #holds}), sparing the read, never to name content.
 */
public record FileInfo(String path, long size, Instant modTime, boolean isDirectory, String contentMd5) {

    public FileInfo(String path, long size, Instant modTime, boolean isDirectory) {
        this(path, size, modTime, isDirectory, null);
    }

    /** A file a walk names without having stat'ed it: its size and time are unknown. */
    public static FileInfo unstated(String path) {
        return new FileInfo(path, -1, null, false, null);
    }

    /** False for {@link #unstated} files: stat the path to learn its size and time. */
    public boolean isStated() {
        return modTime != null;
    }

    /** An S3 ETag (quoted or not) as an MD5, or null when it is not one (multipart, SSE-KMS/SSE-C). */
    public static String md5OfEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.replace("\"", "").toLowerCase(Locale.ROOT);
        return e.length() == 32 && e.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? e : null;
    }

    /**
     * True when the backend's MD5 shows that this file holds exactly {@code content}; false when it
     * does not or cannot tell (then read the file).
     */
    public boolean holds(byte[] content) {
        if (contentMd5 == null || isDirectory || size != content.length) {
            return false;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content)).equals(contentMd5);
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
    }
}
