package io.berth.gc.job;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The local files a long job writes besides the store (its JSON report, its SQLite state). They are
 * checked before the job starts: a gc that deletes for an hour and then cannot write the report cron
 * reads has failed the operator, and an exception's bare path ("/srv/reports") says nothing.
 */
public final class JobFiles {
    private JobFiles() {
    }

    /**
     * Makes sure {@code file} can be written: its directory exists (it is created if missing) and
     * takes a new file, and the file itself, if present, is a writable regular file.
     *
     * @param what what the file is, for the message ("the report", "the state database")
     */
    public static void checkWritable(Path file, String what) throws IOException {
        Path abs = file.toAbsolutePath();
        try {
            if (Files.isDirectory(abs)) {
                throw new IOException(abs + " is a directory");
            }
            if (Files.exists(abs) && !Files.isWritable(abs)) {
                throw new AccessDeniedException(abs.toString());
            }
            Path dir = abs.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
                try {
                    Files.deleteIfExists(Files.createTempFile(dir, ".berth-check-", ".tmp"));
                } catch (IOException e) {
                    throw new IOException("cannot create files in " + dir + " (" + describe(e) + ")", e);
                }
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + what + " " + file + ": " + describe(e), e);
        }
    }

    /** An I/O failure as a sentence: what went wrong, and with which file. */
    public static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof NotDirectoryException n) {
            return "not a directory: " + n.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + ": " + f.getFile();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
