package io.berth.core.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static final String EMPTY_SHA512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    static final String ABC_SHA512 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    @Test
    void parsesSha256() {
        Digest d = Digest.parse("sha256:" + EMPTY_SHA256);
        assertEquals(DigestAlgorithm.SHA256, d.algorithm());
        assertEquals(EMPTY_SHA256, d.hex());
    }

    @Test
    void parsesSha512() {
        Digest d = Digest.parse("sha512:" + EMPTY_SHA512);
        assertEquals(DigestAlgorithm.SHA512, d.algorithm());
        assertEquals(EMPTY_SHA512, d.hex());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:" + EMPTY_SHA256, "sha512:" + ABC_SHA512, "sha256:" + ABC_SHA256})
    void toStringRoundTrips(String s) {
        assertEquals(s, Digest.parse(s).toString());
        assertEquals(Digest.parse(s), Digest.parse(Digest.parse(s).toString()));
    }

    @Test
    void rejectsUpperCaseHex() {
        InvalidDigestException e = assertThrows(InvalidDigestException.class,
                () -> Digest.parse("sha256:" + EMPTY_SHA256.toUpperCase()));
        assertFalse(e instanceof UnsupportedDigestAlgorithmException);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sha256:" + EMPTY_SHA256 + "0",           // too long
        "sha256:e3b0c44298fc1c149afbf4c8996fb924", // too short
        "sha512:" + EMPTY_SHA256,                  // sha256 length under sha512
        "sha256:" + EMPTY_SHA512,                  // sha512 length under sha256
        "sha256:",                                 // nothing after the colon
    })
    void rejectsWrongLength(String s) {
        InvalidDigestException e = assertThrows(InvalidDigestException.class, () -> Digest.parse(s));
        assertFalse(e instanceof UnsupportedDigestAlgorithmException);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "sha256",
        EMPTY_SHA256,                                                            // no colon
        ":" + EMPTY_SHA256,                                                      // empty algorithm
        "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // non-hex
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85 ", // trailing space
        "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "SHA256:" + EMPTY_SHA256,                                                // algorithm is lower-case only
        "sha256/:" + EMPTY_SHA256,
        "sha256+:" + EMPTY_SHA256,                                               // separator must be followed
        "blake3:",                                                               // unknown and no encoded part
        "blake3:not/hex!",                                                       // unknown and garbage encoded part
    })
    void rejectsGarbageAsInvalidNotUnsupported(String s) {
        InvalidDigestException e = assertThrows(InvalidDigestException.class, () -> Digest.parse(s));
        assertFalse(e instanceof UnsupportedDigestAlgorithmException, s + " is malformed, not just unsupported");
    }

    @Test
    void rejectsNull() {
        assertThrows(InvalidDigestException.class, () -> Digest.parse(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha384:abc",
        "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8",
    })
    void wellFormedUnknownAlgorithmIsUnsupported(String s) {
        UnsupportedDigestAlgorithmException e =
                assertThrows(UnsupportedDigestAlgorithmException.class, () -> Digest.parse(s));
        assertEquals(s, e.input());
        assertTrue(e instanceof InvalidDigestException, "an unsupported digest is still an invalid one to callers");
    }

    @Test
    void invalidDigestKeepsInput() {
        InvalidDigestException e = assertThrows(InvalidDigestException.class, () -> Digest.parse("sha256:zz"));
        assertEquals("sha256:zz", e.input());
        assertTrue(e.getMessage().contains("sha256:zz"));
    }

    @Test
    void constructorValidates() {
        assertThrows(InvalidDigestException.class, () -> new Digest(DigestAlgorithm.SHA256, "abc"));
        assertThrows(NullPointerException.class, () -> new Digest(null, EMPTY_SHA256));
        assertThrows(NullPointerException.class, () -> new Digest(DigestAlgorithm.SHA256, null));
    }

    @Test
    void ofKnownVectors() {
        byte[] empty = new byte[0];
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertEquals("sha256:" + EMPTY_SHA256, Digest.sha256(empty).toString());
        assertEquals("sha256:" + ABC_SHA256, Digest.sha256(abc).toString());
        assertEquals("sha256:" + ABC_SHA256, Digest.of(DigestAlgorithm.SHA256, abc).toString());
        assertEquals("sha512:" + EMPTY_SHA512, Digest.of(DigestAlgorithm.SHA512, empty).toString());
        assertEquals("sha512:" + ABC_SHA512, Digest.of(DigestAlgorithm.SHA512, abc).toString());
    }

    @Test
    void fromRawFormatsLowerHex() {
        byte[] raw = new byte[32];
        raw[0] = (byte) 0xAB;
        raw[31] = (byte) 0x0F;
        Digest d = Digest.fromRaw(DigestAlgorithm.SHA256, raw);
        assertEquals("ab" + "00".repeat(30) + "0f", d.hex());
        assertThrows(InvalidDigestException.class, () -> Digest.fromRaw(DigestAlgorithm.SHA512, raw));
    }

    @Test
    void equalityAndOrdering() {
        Digest a = Digest.parse("sha256:" + ABC_SHA256);
        Digest e = Digest.parse("sha256:" + EMPTY_SHA256);
        Digest s512 = Digest.parse("sha512:" + EMPTY_SHA512);
        assertEquals(a, Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(a.hashCode(), Digest.parse(a.toString()).hashCode());
        assertNotEquals(a, e);
        List<Digest> list = new ArrayList<>(List.of(s512, e, a));
        Collections.sort(list);
        assertEquals(List.of(a, e, s512), list, "ordered by string form");
    }

    @Test
    void algorithmById() {
        assertEquals(Optional.of(DigestAlgorithm.SHA256), DigestAlgorithm.byId("sha256"));
        assertEquals(Optional.of(DigestAlgorithm.SHA512), DigestAlgorithm.byId("sha512"));
        assertEquals(Optional.empty(), DigestAlgorithm.byId("SHA256"));
        assertEquals(Optional.empty(), DigestAlgorithm.byId("sha384"));
        assertEquals(Optional.empty(), DigestAlgorithm.byId(""));
        assertEquals("sha256", DigestAlgorithm.SHA256.id());
        assertEquals("sha512", DigestAlgorithm.SHA512.id());
        assertEquals(64, DigestAlgorithm.SHA256.hexLength());
        assertEquals(128, DigestAlgorithm.SHA512.hexLength());
        assertEquals("SHA-256", DigestAlgorithm.SHA256.newMessageDigest().getAlgorithm());
        assertEquals("SHA-512", DigestAlgorithm.SHA512.newMessageDigest().getAlgorithm());
    }
}
