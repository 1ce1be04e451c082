package io.berth.migrate.v1;

/** How a stored V1 layer is compressed, told by its first bytes as docker's DetectCompression did (spec §4). */
public enum Compression {
    GZIP, XZ, BZIP2, TAR;

    static Compression detect(byte[] head, int n) {
        if (n >= 3 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b && head[2] == 8) {
            return GZIP;
        }
        if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            return XZ;
        }
        if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return BZIP2;
        }
        return TAR;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
