package io.berth.core.reference;

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

class TagTest {

    @ParameterizedTest
    @ValueSource(strings = {"latest", "v1.0.0", "1", "_x", "_", "A", "UPPER_lower-1.2", "a..b", "a--", "x.", "9-_."})
    void valid(String s) {
        assertTrue(Tag.isValid(s), s);
        assertEquals(s, Tag.of(s).value());
        assertEquals(s, Tag.of(s).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".x", "-x", ".", "-", "a:b", "a/b", "a b", "a@b", "a+b", "é", "a\n", "sha256:abc"})
    void invalid(String s) {
        assertFalse(Tag.isValid(s), s);
        InvalidTagException e = assertThrows(InvalidTagException.class, () -> Tag.of(s));
        assertTrue(e instanceof InvalidNameException);
    }

    @Test
    void nullIsInvalid() {
        assertFalse(Tag.isValid(null));
        assertThrows(NullPointerException.class, () -> Tag.of(null));
    }

    @Test
    void lengthLimitIs128() {
        assertTrue(Tag.isValid("a".repeat(128)));
        Tag.of("_" + "x".repeat(127));
        assertFalse(Tag.isValid("a".repeat(129)));
        assertThrows(InvalidTagException.class, () -> Tag.of("a".repeat(129)));
    }

    @Test
    void orderIsPlainStringOrder() {
        List<Tag> tags = new ArrayList<>(List.of(Tag.of("b"), Tag.of("B"), Tag.of("a"), Tag.of("_"), Tag.of("1")));
        Collections.sort(tags);
        assertEquals(List.of("1", "B", "_", "a", "b"), tags.stream().map(Tag::value).toList());
    }
}
