package io.berth.server.tls;

import java.io.ByteArrayOutputStream;

/** The few DER encodings PEM key conversion needs: definite-length TLVs and a SEC 1 key's curve. */
final class Der {
    private Der() {
    }

    static byte[] sequence(byte[] content) {
        return tlv(0x30, content);
    }

    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((n >> (8 * i)) & 0xff);
            }
        }
        out.write(content, 0, n);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /**
     * The named curve OID (as a full TLV) of an ECPrivateKey ::= SEQUENCE { version 1,
     * privateKey OCTET STRING, [0] parameters OID, [1] publicKey }: PKCS#8 wants it in the
     * algorithm identifier.
     */
    static byte[] ecCurveOid(byte[] sec1) {
        int[] pos = {0};
        expect(sec1, pos, 0x30);
        length(sec1, pos);
        while (pos[0] < sec1.length) {
            int tag = sec1[pos[0]++] & 0xff;
            int len = length(sec1, pos);
            if (tag == 0xa0) {
                int start = pos[0];
                if ((sec1[start] & 0xff) != 0x06) {
                    break;
                }
                int[] p = {start + 1};
                int oidLen = length(sec1, p);
                byte[] oid = new byte[p[0] - start + oidLen];
                System.arraycopy(sec1, start, oid, 0, oid.length);
                return oid;
            }
            pos[0] += len;
        }
        throw new IllegalArgumentException("EC PRIVATE KEY without a named curve");
    }

    private static void expect(byte[] b, int[] pos, int tag) {
        if ((b[pos[0]++] & 0xff) != tag) {
            throw new IllegalArgumentException("malformed DER");
        }
    }

    private static int length(byte[] b, int[] pos) {
        int first = b[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            n = (n << 8) | (b[pos[0]++] & 0xff);
        }
        return n;
    }
}
