package io.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.WalkVisitor;
import io.berth.core.storage.Walks;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The flat-listing walk against the portable walk (list + stat) of the in-memory driver, on
 * random trees full of names where '-' and '.' meet '/', with SKIP_DIR and STOP. No server.
 */
class LexicalWalkTest {
    private static final String[] NAMES = {"a", "a-", "a-b", "a.c", "a0", "b", "-", ".x", "a.", "ab", "_z"};

    @Test
    void matchesThePortableWalkOnRandomTrees() throws IOException {
        Random rnd = new Random(42);
        for (int round = 0; round < 300; round++) {
            InMemoryDriver reference = new InMemoryDriver();
            TreeSet<String> paths = new TreeSet<>();
            int n = 1 + rnd.nextInt(40);
            while (paths.size() < n) {
                StringBuilder p = new StringBuilder();
                int depth = 1 + rnd.nextInt(4);
                for (int d = 0; d < depth; d++) {
                    p.append('/').append(NAMES[rnd.nextInt(NAMES.length)]);
                }
                String path = p.toString();
                // a path cannot be both a file and a directory
                if (paths.stream().noneMatch(q -> q.startsWith(path + "/") || path.startsWith(q + "/"))) {
                    paths.add(path);
                }
            }
            for (String p : paths) {
                reference.putContent(p, new byte[p.length()]);
            }
            String keyPrefix = "root-dir/"; // a '-' in the prefix must not hold anything back
            List<String> roots = new ArrayList<>(List.of("/"));
            roots.add(paths.first().substring(0, paths.first().indexOf('/', 1) < 0 ? paths.first().length()
                    : paths.first().indexOf('/', 1)));
            for (String root : roots) {
                if (!"/".equals(root) && !reference.stat(root).isDirectory()) {
                    continue;
                }
                int stopAfter = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(10) : Integer.MAX_VALUE;
                int skipSalt = rnd.nextInt(5);
                Function<List<String>, WalkVisitor> visitor = seen -> info -> {
                    seen.add(info.path() + (info.isDirectory() ? "/" : " " + info.size()));
                    if (seen.size() >= stopAfter) {
                        return WalkVisitor.Result.STOP;
                    }
                    return info.isDirectory() && (info.path().hashCode() + skipSalt) % 4 == 0
                            ? WalkVisitor.Result.SKIP_DIR : WalkVisitor.Result.CONTINUE;
                };
                List<String> expected = new ArrayList<>();
                Walks.walkByListing(reference, root, visitor.apply(expected));

                List<String> actual = new ArrayList<>();
                String prefix = "/".equals(root) ? keyPrefix : keyPrefix + root.substring(1) + "/";
                LexicalWalk walk = new LexicalWalk(prefix, root, visitor.apply(actual));
                for (String p : paths) { // TreeSet of ASCII strings: S3's byte order
                    if ((keyPrefix + p.substring(1)).startsWith(prefix)) {
                        walk.accept(keyPrefix + p.substring(1), p.length(), Instant.EPOCH);
                    }
                    if (walk.stopped()) {
                        break;
                    }
                }
                walk.finish();
                assertEquals(expected, actual, "round " + round + ", root " + root + ", paths " + paths);
            }
        }
    }

    @Test
    void directoryMarkersAndForeignKeysAreHandled() throws IOException {
        List<FileInfo> seen = new ArrayList<>();
        LexicalWalk walk = new LexicalWalk("", "/", info -> {
            seen.add(info);
            return WalkVisitor.Result.CONTINUE;
        });
        for (String key : new TreeSet<>(List.of("a/", "a/b", "c//d", "e/f/", "e/f/g"))) {
            walk.accept(key, 1, Instant.EPOCH);
        }
        walk.finish();
        assertEquals(List.of("/a", "/a/b", "/e", "/e/f", "/e/f/g"), seen.stream().map(FileInfo::path).toList());
        assertEquals(List.of(true, false, true, true, false), seen.stream().map(FileInfo::isDirectory).toList());
    }
}
