package io.berth.core.storage;

import java.io.IOException;

/** Called for each path a walk reaches; the answer steers the walk. */
@FunctionalInterface
public interface WalkVisitor {

    enum Result { CONTINUE, SKIP_DIR, STOP }

    Result visit(FileInfo info) throws IOException;

    /**
     * A shortcut for drivers that walk directory by directory: the name (or relative path, such as
     * {@code current/link}) of the one file each entry of the directory {@code dir} holds, or the
     * one the caller wants, when the caller knows it (a digest fan-out such as
     * {@code _layers/sha256}, whose entries are {@code <hex>/link}). Such a driver may then stat
     * {@code <entry>/<name>} directly instead of stat-ing and listing each entry (one call per
     * file instead of three or more) and visit only that file: the entry directory is not visited
     * and other files in it are not seen. An entry without that file is walked as usual. Null,
     * the default, asks for the full walk; drivers that list flat may ignore it.
     */
    default String onlyFileOfEachEntry(String dir) {
        return null;
    }
}
