package io.berth.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PEM keys in every form openssl writes them are read with the JDK and match their certificates. */
class PemFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestPki.KeyType.class)
    void keyMatchesItsCertificate(TestPki.KeyType type) throws Exception {
        TestPki.Pair pair = TestPki.selfSigned(dir, "k", type);
        PrivateKey key = PemFiles.privateKey(pair.key());
        X509Certificate cert = PemFiles.certificates(pair.cert()).get(0);
        String alg = switch (type) {
            case RSA_PKCS8, RSA_PKCS1 -> "SHA256withRSA";
            case EC_PKCS8, EC_SEC1 -> "SHA256withECDSA";
            case ED25519 -> "Ed25519";
        };
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(cert.getPublicKey());
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig), type + " key signs what its certificate verifies");
        String pem = Files.readString(pair.key());
        String expectedHeader = switch (type) {
            case RSA_PKCS1 -> "-----BEGIN RSA PRIVATE KEY-----";
            case EC_SEC1 -> "-----BEGIN EC PARAMETERS-----";
            default -> "-----BEGIN PRIVATE KEY-----";
        };
        assertTrue(pem.startsWith(expectedHeader), "the form under test: " + pem.lines().findFirst().orElse(""));
    }

    @Test
    void bundlesKeepEveryCertificateAndSkipOtherBlocks() throws Exception {
        TestPki.Pair a = TestPki.selfSigned(dir, "a", TestPki.KeyType.EC_PKCS8);
        TestPki.Pair b = TestPki.selfSigned(dir, "b", TestPki.KeyType.EC_PKCS8);
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, "subject=/CN=a\n" + Files.readString(a.cert()) + Files.readString(a.key())
                + "\n" + Files.readString(b.cert()));
        List<X509Certificate> certs = PemFiles.certificates(bundle);
        assertEquals(List.of(a.certificate(), b.certificate()), certs);
    }

    @Test
    void unusableKeysAreNamed() throws Exception {
        Path none = Files.writeString(dir.resolve("none.pem"), "not a key\n");
        assertTrue(assertThrows(IOException.class, () -> PemFiles.privateKey(none)).getMessage()
                .contains("no PEM private key"));
        Path plain = TestPki.key(dir.resolve("plain.pem"), TestPki.KeyType.RSA_PKCS8);
        Path encrypted = dir.resolve("enc.pem");
        TestPki.openssl("pkcs8", "-topk8", "-in", plain, "-out", encrypted, "-passout", "pass:secret");
        assertTrue(assertThrows(IOException.class, () -> PemFiles.privateKey(encrypted)).getMessage()
                .contains("encrypted private keys are not supported"));
    }
}
