package io.berth.core.storage;

import java.io.IOException;
import java.util.List;

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

    /**
     * The same shortcut for entries that hold a small tree of known shape (a tag's
     * {@code current/link} and {@code index/<alg>/<hex>/link}): the relative paths of the files
     * wanted of each entry of {@code dir}, where a component {@code *} stands for every name in
     * that directory. The first path names one file without {@code *}; an entry without it is
     * walked as usual. For an entry that has it, a driver may visit just that file and the files
     * the other paths match, in lexical order of path, without visiting or stat-ing the
     * directories between (a directory the paths lead to that is missing holds nothing). Drivers
     * that do not take this shortcut use {@link #onlyFileOfEachEntry}; by default this is that
     * file alone.
     */
    default List<String> filesOfEachEntry(String dir) {
        String only = onlyFileOfEachEntry(dir);
        return only == null ? null : List.of(only);
    }

    /**
     * Whether, for the entries of {@code dir} whose one file {@link #onlyFileOfEachEntry} names,
     * that file's name is all the caller needs: a directory-wise driver may then visit each as
     * {@link FileInfo#unstated} without a stat (and without checking that the entry holds it),
     * and the caller stats the few it needs to know more of. Drivers that list with sizes and
     * times (object stores) ignore it. False by default.
     */
    default boolean namesSuffice(String dir) {
        return false;
    }
}
