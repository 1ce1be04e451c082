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
        for (String child : driver.list(dir)) {
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
}
