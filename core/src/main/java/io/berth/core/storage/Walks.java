package io.berth.core.storage;

import java.io.IOException;

/** The portable walk, built from list and stat, for drivers that have nothing faster. */
public final class Walks {
    private Walks() {
    }

    public static void walkByListing(StorageDriver driver, String root, WalkVisitor visitor) throws IOException {
        walk(driver, root, visitor);
    }

    private static boolean walk(StorageDriver driver, String dir, WalkVisitor visitor) throws IOException {
        String leaf = visitor.onlyFileOfEachEntry(dir);
        for (String child : driver.list(dir)) {
            if (leaf != null) {
                FileInfo file = statFile(driver, child + "/" + leaf);
                if (file != null) {
                    if (visitor.visit(file) == WalkVisitor.Result.STOP) {
                        return false;
                    }
                    continue;
                }
            }
            FileInfo info;
            try {
                info = driver.stat(child);
            } catch (PathNotFoundException e) {
                continue; // deleted while we walked
            }
            WalkVisitor.Result r = visitor.visit(info);
            if (r == WalkVisitor.Result.STOP) {
                return false;
            }
            if (info.isDirectory() && r != WalkVisitor.Result.SKIP_DIR) {
                try {
                    if (!walk(driver, child, visitor)) {
                        return false;
                    }
                } catch (PathNotFoundException e) {
                    // deleted while we walked
                }
            }
        }
        return true;
    }

    /** The file at {@code path}, or null if there is none (missing, a directory, or a parent is a file). */
    private static FileInfo statFile(StorageDriver driver, String path) throws IOException {
        try {
            FileInfo info = driver.stat(path);
            return info.isDirectory() ? null : info;
        } catch (PathNotFoundException e) {
            return null;
        }
    }
}
