package io.berth.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoragePathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/a", "/a/b", "/docker/registry/v2/blobs/sha256/ab/abcd/data", "/A-Z_a.z/0-9",
        "/.hidden", "/a/...", "/a/..b", "/a/b..", "/_uploads", "/a/.b/c", "/repositories/a/b%252Fc", "/%2E%2E"})
    void checkAccepts(String path) throws Exception {
        assertEquals(path, StoragePaths.check(path));
        assertEquals(path, StoragePaths.checkDir(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "a", "a/b", "//", "//a", "/a/", "/a//b", "/a b", "/a:b", "/a/./b", "/a/../b",
        "/..", "/.", "/a/..", "/a/.", "/../a", "/./a", "/a\\b", "/a\nb", "/ä", "/a/b/", "/a@b", "/a+b", "/a~b"})
    void checkRejects(String path) {
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> StoragePaths.check(path));
        assertEquals(path, e.path());
        assertTrue(e.getMessage().contains("invalid path"));
    }

    @Test
    void checkRejectsNull() {
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> StoragePaths.check(null));
        assertEquals("null", e.path());
        assertTrue(e instanceof StorageException);
    }

    @Test
    void checkDirAllowsRootOnly() throws Exception {
        assertEquals("/", StoragePaths.checkDir("/"));
        assertThrows(InvalidPathException.class, () -> StoragePaths.checkDir(""));
        assertThrows(InvalidPathException.class, () -> StoragePaths.checkDir("//"));
        assertThrows(InvalidPathException.class, () -> StoragePaths.checkDir("/a/"));
        assertThrows(InvalidPathException.class, () -> StoragePaths.checkDir(null));
    }

    @Test
    void parentBaseNameJoin() {
        assertEquals("/", StoragePaths.parent("/a"));
        assertEquals("/a", StoragePaths.parent("/a/b"));
        assertEquals("/a/b", StoragePaths.parent("/a/b/c"));
        assertEquals("/", StoragePaths.parent("/"));
        assertEquals("c", StoragePaths.baseName("/a/b/c"));
        assertEquals("a", StoragePaths.baseName("/a"));
        assertEquals("/a", StoragePaths.join("/", "a"));
        assertEquals("/a/b", StoragePaths.join("/a", "b"));
    }
}
