package io.berth.core.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.core.digest.Digest;
import io.berth.core.digest.InvalidDigestException;
import io.berth.core.digest.UnsupportedDigestAlgorithmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
    static final String EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void tag() {
        Reference r = Reference.parse("latest");
        Reference.ByTag t = assertInstanceOf(Reference.ByTag.class, r);
        assertEquals(Tag.of("latest"), t.tag());
        assertEquals("latest", r.toString());
    }

    @Test
    void digest() {
        Reference r = Reference.parse(EMPTY);
        Reference.ByDigest d = assertInstanceOf(Reference.ByDigest.class, r);
        assertEquals(Digest.parse(EMPTY), d.digest());
        assertEquals(EMPTY, r.toString());
    }

    @Test
    void sha512Digest() {
        String s = "sha512:" + "ab".repeat(64);
        assertInstanceOf(Reference.ByDigest.class, Reference.parse(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo:bar", "latest:", ":latest", "sha256:abc", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "a:b:c"})
    void colonButNotADigestIsInvalidDigest(String s) {
        assertThrows(InvalidDigestException.class, () -> Reference.parse(s));
    }

    @Test
    void tooLongTagIsInvalidTag() {
        assertThrows(InvalidTagException.class, () -> Reference.parse("a".repeat(129)));
        assertInstanceOf(Reference.ByTag.class, Reference.parse("a".repeat(128)));
    }

    @Test
    void unknownAlgorithmIsUnsupported() {
        assertThrows(UnsupportedDigestAlgorithmException.class,
                () -> Reference.parse("blake3:" + "ab".repeat(32)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "-x", "a/b", "a b"})
    void badTagIsInvalidTag(String s) {
        InvalidTagException e = assertThrows(InvalidTagException.class, () -> Reference.parse(s));
        assertFalse(e.getMessage().isEmpty());
    }
}
