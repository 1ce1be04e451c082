package io.berth.core.reference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "a", "a/b", "a_b", "a__b", "a.b", "a-b", "a---b", "library/ubuntu", "0", "a0/9z",
        "a.b_c__d-e--f", "foo/bar/baz/qux", "my-org/my.app/v1", "a/b.c/d_e/f__g/h-i",
    })
    void valid(String s) {
        assertTrue(RepositoryName.isValid(s), s);
        assertEquals(s, assertDoesNotThrow(() -> RepositoryName.of(s)).value());
        assertEquals(s, new RepositoryName(s).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "A", "Library/ubuntu", "library/Ubuntu", "a/", "/a", "a//b", "../x", "a/../b", "..", ".", "a/.",
        "./a", "a_", "_a", "-a", "a-", ".a", "a.", "a..b", "a._b", "a_.b", "a___b", "a_-b", "a-_b", "a.-b",
        "a b", "a:b", "a@b", "a\\b", "a/b/", "a/-b", "a/_b", "a/b.", "ä", "a\nb", "a/b\n",
    })
    void invalid(String s) {
        assertFalse(RepositoryName.isValid(s), s);
        assertThrows(InvalidNameException.class, () -> RepositoryName.of(s));
    }

    @Test
    void nullIsInvalid() {
        assertFalse(RepositoryName.isValid(null));
        assertThrows(NullPointerException.class, () -> RepositoryName.of(null));
    }

    @Test
    void lengthLimitIs255() {
        String max = "a".repeat(255);
        assertEquals(255, RepositoryName.MAX_LENGTH);
        assertTrue(RepositoryName.isValid(max));
        assertDoesNotThrow(() -> RepositoryName.of(max));
        String maxWithSlashes = ("abc/").repeat(63) + "abc"; // 63*4 + 3 = 255
        assertEquals(255, maxWithSlashes.length());
        assertTrue(RepositoryName.isValid(maxWithSlashes));

        String tooLong = "a".repeat(256);
        assertFalse(RepositoryName.isValid(tooLong));
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> RepositoryName.of(tooLong));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
        assertFalse(RepositoryName.isValid(maxWithSlashes + "a"));
    }

    @Test
    void hugeInputMessageIsTruncated() {
        String huge = "a".repeat(10_000);
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> RepositoryName.of(huge));
        assertTrue(e.getMessage().length() < 1000, "message length " + e.getMessage().length());
    }

    @Test
    void catalogOrderRanksSlashLowest() {
        // '/' < '-' (0x2d) < '.' (0x2e) < '0' (0x30) < '_' (0x5f) < 'a', with '/' below all of them
        assertTrue(RepositoryName.compareCatalogOrder("a/b", "a-b") < 0);
        assertTrue(RepositoryName.compareCatalogOrder("a-b", "a.b") < 0);
        assertTrue(RepositoryName.compareCatalogOrder("a.b", "a0") < 0);
        assertTrue(RepositoryName.compareCatalogOrder("a0", "a_b") < 0);
        assertTrue(RepositoryName.compareCatalogOrder("a_b", "ab") < 0);
        assertTrue(RepositoryName.compareCatalogOrder("a-b", "a/b") > 0);
        assertTrue(RepositoryName.compareCatalogOrder("a", "a/b") < 0, "a prefix sorts first");
        assertTrue(RepositoryName.compareCatalogOrder("a/z", "a-a") < 0,
                "every repository under a/ comes before a-*, as a depth-first walk finds them");
        assertTrue(RepositoryName.compareCatalogOrder("a/b/c", "a/b-c") < 0);
        assertEquals(0, RepositoryName.compareCatalogOrder("x/y", "x/y"));

        List<RepositoryName> names = new ArrayList<>();
        for (String s : List.of("a0", "a-b", "ab", "a/b", "a", "a.b", "a_b", "a/b/c", "a/b-c", "b")) {
            names.add(RepositoryName.of(s));
        }
        Collections.sort(names);
        assertEquals(List.of("a", "a/b", "a/b/c", "a/b-c", "a-b", "a.b", "a0", "a_b", "ab", "b"),
                names.stream().map(RepositoryName::value).toList());
        // plain String order would put a-b and a.b before a/b
        assertTrue("a-b".compareTo("a/b") < 0);
    }
}
