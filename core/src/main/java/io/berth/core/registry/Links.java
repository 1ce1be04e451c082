package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and lists link files, the registry's pointers from a repository into the blob store. */
final class Links {
    private Links() {
    }

    static Optional<Digest> read(StorageDriver driver, String linkPath) throws IOException {
        try {
            return Optional.of(PathLayout.parseLink(driver.getContent(linkPath)));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a corrupt link is as good as none; verify reports it
        }
    }

    static boolean exists(StorageDriver driver, String linkPath) throws IOException {
        try {
            driver.statFile(linkPath);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    static void write(StorageDriver driver, String linkPath, Digest d) throws IOException {
        driver.putContent(linkPath, PathLayout.linkContent(d));
    }

    /** The digests of a {@code <dir>/<alg>/<hex>/link} tree, as _layers and revisions hold them. */
    static List<Digest> listDigestDirs(StorageDriver driver, String dir) throws IOException {
        List<Digest> out = new ArrayList<>();
        List<String> algs;
        try {
            algs = driver.list(dir);
        } catch (PathNotFoundException e) {
            return out;
        }
        for (String algDir : algs) {
            List<String> hexes;
            try {
                hexes = driver.list(algDir);
            } catch (PathNotFoundException e) {
                continue;
            }
            String alg = PathLayout.baseName(algDir);
            for (String hexDir : hexes) {
                PathLayout.parseDigest(alg, PathLayout.baseName(hexDir)).ifPresent(out::add);
            }
        }
        return out;
    }

    static boolean deleteIfPresent(StorageDriver driver, String path) throws IOException {
        try {
            driver.delete(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }
}
