package io.berth.server.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The key ids token servers put in a JWT's {@code kid} for a root certificate's key: libtrust's
 * fingerprint (distribution 2.x, docker_auth: SHA-256 of the DER public key, 240 bits, base32 in
 * groups of four) and the RFC 7638 JWK thumbprint (distribution 3).
 */
final class KeyIds {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private KeyIds() {
    }

    static List<String> of(PublicKey key) {
        List<String> ids = new ArrayList<>();
        ids.add(libtrust(key));
        ids.addAll(thumbprints(key));
        return ids;
    }

    static String libtrust(PublicKey key) {
        byte[] hash = Arrays.copyOf(sha256(key.getEncoded()), 30);
        StringBuilder b32 = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : hash) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                b32.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 4) {
            if (i > 0) {
                id.append(':');
            }
            id.append(b32, i, Math.min(i + 4, b32.length()));
        }
        return id.toString();
    }

    /**
     * RFC 7638 thumbprints. EC coordinates are listed both fixed-length (the RFC) and without
     * leading zero bytes (distribution 3's Go code), which differ for one key in 128.
     */
    static List<String> thumbprints(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return List.of(thumb("{\"e\":\"" + b64(unsigned(rsa.getPublicExponent())) + "\",\"kty\":\"RSA\",\"n\":\""
                    + b64(unsigned(rsa.getModulus())) + "\"}"));
        }
        if (key instanceof ECPublicKey ec) {
            int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            String crv = switch (size) {
                case 32 -> "P-256";
                case 48 -> "P-384";
                case 66 -> "P-521";
                default -> null;
            };
            if (crv == null) {
                return List.of();
            }
            byte[] x = unsigned(ec.getW().getAffineX());
            byte[] y = unsigned(ec.getW().getAffineY());
            List<String> out = new ArrayList<>();
            out.add(ecThumb(crv, pad(x, size), pad(y, size)));
            String minimal = ecThumb(crv, x, y);
            if (!out.contains(minimal)) {
                out.add(minimal);
            }
            return out;
        }
        if (key instanceof EdECPublicKey ed && ed.getParams().getName().equalsIgnoreCase("Ed25519")) {
            byte[] enc = key.getEncoded();
            byte[] x = Arrays.copyOfRange(enc, enc.length - 32, enc.length);
            return List.of(thumb("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + b64(x) + "\"}"));
        }
        return List.of();
    }

    private static String ecThumb(String crv, byte[] x, byte[] y) {
        return thumb("{\"crv\":\"" + crv + "\",\"kty\":\"EC\",\"x\":\"" + b64(x) + "\",\"y\":\"" + b64(y) + "\"}");
    }

    private static String thumb(String json) {
        return b64(sha256(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Big-endian magnitude without leading zero bytes, as Go's {@code big.Int.Bytes()}. */
    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        int i = 0;
        while (i < b.length - 1 && b[i] == 0) {
            i++;
        }
        return Arrays.copyOfRange(b, i, b.length);
    }

    private static byte[] pad(byte[] b, int size) {
        if (b.length >= size) {
            return b;
        }
        byte[] out = new byte[size];
        System.arraycopy(b, 0, out, size - b.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
