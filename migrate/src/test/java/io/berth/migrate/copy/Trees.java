package io.berth.migrate.copy;

import io.berth.core.digest.Digester;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.util.SortedMap;
import java.util.TreeMap;

/** A store's files under /docker/registry/v2 (uploads excepted): path → sha256 of the bytes. */
final class Trees {
    private Trees() {
    }

    static SortedMap<String, String> of(StorageDriver driver) throws IOException {
        SortedMap<String, String> files = new TreeMap<>();
        try {
            driver.walk(PathLayout.ROOT, info -> {
                if (!info.isDirectory() && !info.path().contains("/" + PathLayout.UPLOADS_DIR + "/")) {
                    files.put(info.path(), hash(driver, info.path()));
                }
                return WalkVisitor.Result.CONTINUE;
            });
        } catch (PathNotFoundException e) {
            // empty store
        }
        return files;
    }

    static String hash(StorageDriver driver, String path) throws IOException {
        Digester d = new Digester(DigestAlgorithm.SHA256);
        try (InputStream in = driver.reader(path, 0)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return d.digest() + " " + d.count();
    }
}
