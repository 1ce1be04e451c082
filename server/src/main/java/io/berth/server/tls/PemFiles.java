package io.berth.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as Go's {@code crypto/tls} and {@code encoding/pem} read them, with the JDK only:
 * certificate chains, and private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}) form. The last two are wrapped into
 * PKCS#8, the one form the JDK's key factories take. Encrypted keys are refused, as in Go.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final byte[] OID_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] OID_EC = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {
    }

    /** One {@code -----BEGIN TYPE-----} block: its type and decoded bytes; headers make it encrypted. */
    public record Block(String type, byte[] der, boolean hasHeaders) {
    }

    public static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            boolean headers = body.contains(":");
            if (headers) {
                body = body.substring(body.indexOf("\n\n") < 0 ? 0 : body.indexOf("\n\n"));
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body), headers));
            } catch (IllegalArgumentException e) {
                // not base64: Go's pem.Decode skips such a block too
            }
        }
        return out;
    }

    /** Every CERTIFICATE block of the file, in order; other blocks are skipped. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(read(file))) {
                if (b.type().equals("CERTIFICATE")) {
                    certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": unable to parse certificate: " + e.getMessage(), e);
        }
        return certs;
    }

    /** The first private key block of the file. */
    public static PrivateKey privateKey(Path file) throws IOException {
        for (Block b : blocks(read(file))) {
            if (!b.type().endsWith("PRIVATE KEY")) {
                continue;
            }
            if (b.hasHeaders() || b.type().startsWith("ENCRYPTED")) {
                throw new IOException(file + ": encrypted private keys are not supported; decrypt it "
                        + "(openssl pkey -in key.pem -out key-plain.pem)");
            }
            try {
                return switch (b.type()) {
                    case "PRIVATE KEY" -> pkcs8(b.der());
                    case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA")
                            .generatePrivate(new PKCS8EncodedKeySpec(wrap(OID_RSA, new byte[] {0x05, 0x00}, b.der())));
                    case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC")
                            .generatePrivate(new PKCS8EncodedKeySpec(wrap(OID_EC, Der.ecCurveOid(b.der()), b.der())));
                    default -> throw new IOException(file + ": unsupported key type \"" + b.type() + "\"");
                };
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IOException(file + ": unable to parse " + b.type() + ": " + e.getMessage(), e);
            }
        }
        throw new IOException(file + ": no PEM private key found");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String alg : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier { oid, params }, OCTET STRING key }. */
    private static byte[] wrap(byte[] algOid, byte[] params, byte[] key) {
        byte[] algId = Der.sequence(Der.concat(algOid, params));
        return Der.sequence(Der.concat(new byte[] {0x02, 0x01, 0x00}, algId, Der.tlv(0x04, key)));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }
}
