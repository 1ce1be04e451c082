package io.berth.migrate.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.migrate.v1.TarBytes.Entry;
import io.berth.migrate.v1.TarBytes.Format;
import io.berth.migrate.v1.TarSum.Version;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TarSum against docker's own vectors (pkg/tarsum/tarsum_test.go) and values docker's code computed. */
class TarSumTest {

    static byte[] kitchenSink() {
        Random r = new Random(42);
        byte[] big = new byte[70_000];
        r.nextBytes(big);
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        xattrs.put("SCHILY.xattr.security.capability", new byte[] {1, 0, 0, 2, (byte) 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        xattrs.put("SCHILY.xattr.user.nl", "a\nb=c".getBytes(StandardCharsets.UTF_8));
        xattrs.put("SCHILY.xattr.user.A", "upper".getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> paxMisc = new LinkedHashMap<>();
        paxMisc.put("mtime", "1400260726.5".getBytes(StandardCharsets.UTF_8));
        paxMisc.put("uname", "pax-user".getBytes(StandardCharsets.UTF_8));
        paxMisc.put("uid", "4000000".getBytes(StandardCharsets.UTF_8));
        paxMisc.put("path", ("usr/lib/" + "p".repeat(150) + "/pax-named").getBytes(StandardCharsets.UTF_8));
        List<Entry> e = new ArrayList<>();
        e.add(Entry.file("./", 040755, 1371157405, new byte[0]).type('5', ""));
        e.add(Entry.file("./etc/", 040755, 1396838750, new byte[0]).type('5', "").owner(0, 0, "root", "root"));
        e.add(Entry.file("./etc/passwd", 0100644, 1396838750, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .owner(0, 0, "root", "root"));
        e.add(Entry.file("./bin/sh", 0120777, 1396838750, new byte[0]).type('2', "busybox"));
        e.add(Entry.file("./bin/ls", 0100755, 1396838750, new byte[0]).type('1', "./bin/busybox"));
        e.add(Entry.file("./bin/busybox", 0100755, 1396838750, big).owner(0, 10, "root", "wheel"));
        e.add(Entry.file("./dev/null", 020666, 1396838750, new byte[0]).type('3', "").device(1, 3));
        e.add(Entry.file("./dev/sda", 060660, 1396838750, new byte[0]).type('4', "").device(8, 0));
        e.add(Entry.file("./run/fifo", 010644, 1396838750, new byte[0]).type('6', ""));
        e.add(Entry.file("./usr/.wh.removed", 0100644, 1396838750, new byte[0]));
        e.add(Entry.file("file.txt", 0100644, 1396838750, "in a prefix\n".getBytes(StandardCharsets.UTF_8))
                .prefix("usr/share/doc/some-rather-long-directory-name"));
        e.add(Entry.file("gnu-long-trunc", 0100644, 1396838750, "gnu\n".getBytes(StandardCharsets.UTF_8))
                .gnuLongName("opt/" + "g".repeat(180) + "/long-name.txt"));
        e.add(Entry.file("xattr-file", 0100644, 1400260726, "x".getBytes(StandardCharsets.UTF_8)).pax(xattrs));
        e.add(Entry.file("pax-misc", 0100600, 1, "p".getBytes(StandardCharsets.UTF_8)).pax(paxMisc));
        e.add(Entry.file("\u00fcn\u00ef/c\u00f6de", 0100644, 1396838750, "utf-8 name\n".getBytes(StandardCharsets.UTF_8)));
        return TarBytes.of(e, Format.USTAR);
    }

    private static String v0(byte[] tar) throws IOException {
        return TarSum.of(new ByteArrayInputStream(tar), Version.V0, null);
    }

    private static TarSum fed(byte[] tar, Version v, String hash) throws Exception {
        TarSum ts = new TarSum(v, hash);
        TarCheck check = new TarCheck(ts);
        for (int off = 0; off < tar.length; off += 777) { // odd chunks: headers and data split anywhere
            check.feed(tar, off, Math.min(777, tar.length - off));
        }
        check.finish();
        return ts;
    }

    /** testdata/collision/collision-{0,1,2,3}.tar: GNU headers, owner vbatts (1000), two files named "file". */
    private static byte[] collision(boolean farts, boolean howdy, boolean howdyFirst) {
        Entry f = Entry.file("file", 0644, 1409861938, "farts\n".getBytes(StandardCharsets.US_ASCII))
                .owner(1000, 1000, "vbatts", "vbatts");
        Entry h = Entry.file("file", 0644, 1409861993, "HOWDY\n".getBytes(StandardCharsets.US_ASCII))
                .owner(1000, 1000, "vbatts", "vbatts");
        List<Entry> e = new ArrayList<>();
        if (howdyFirst && howdy) {
            e.add(h);
        }
        if (farts) {
            e.add(f);
        }
        if (!howdyFirst && howdy) {
            e.add(h);
        }
        return TarBytes.of(e, Format.GNU);
    }

    @Test
    void dockerVectorsForDuplicatePaths() throws Exception {
        // tarsum_test.go before moby a422774e (2018), when uname and gname were still hashed
        assertEquals("tarsum+sha256:08653904a68d3ab5c59e65ef58c49c1581caa3c34744f8d354b3f575ea04424a",
                v0(collision(true, true, false)));
        assertEquals("tarsum+sha256:b51c13fbefe158b5ce420d2b930eef54c5cd55c50a2ee4abdddea8fa9f081e0d",
                v0(collision(true, true, true)));
        assertEquals("tarsum+sha256:381547080919bb82691e995508ae20ed33ce0f6948d41cafbeb70ce20c73ee8e",
                v0(collision(false, true, false)));
        assertEquals("tarsum+sha256:f886e431c08143164a676805205979cd8fa535dfcef714db5515650eea5a7c0f",
                v0(collision(true, false, false)));
        // docker <= 1.1 kept one sum per path (the last): collision-0 then sums like collision-2
        assertTrue(fed(collision(true, true, false), Version.V0, "sha256").sums(null)
                .contains("tarsum+sha256:381547080919bb82691e995508ae20ed33ce0f6948d41cafbeb70ce20c73ee8e"));
    }

    @Test
    void dockerVectorForOneMegabyteFile() throws Exception {
        // sizedTar{1, 1 MiB}: Go's writer of the time left the typeflag NUL; Go >= 1.10 writes '0'
        byte[] zeros = new byte[1024 * 1024];
        assertEquals("tarsum+sha256:8bf12d7e67c51ee2e8306cba569398b1b9f419969521a12ffb9d8875e8836738",
                v0(TarBytes.of(List.of(Entry.file("/testdata0", 0755, 0, zeros).type('\0', "")), Format.USTAR)));
        assertEquals("tarsum+sha256:75258b2c5dcd9adfe24ce71eeca5fc5019c7e669912f15703ede92b1a60cb11f",
                v0(TarBytes.of(List.of(Entry.file("/testdata0", 0755, 0, zeros)), Format.USTAR)));
    }

    @Test
    void dockerIterationVectors() throws Exception {
        // TestIteration: one entry each, written by Go's tar writer (mode 0, zero mtime)
        byte[] empty = TarBytes.of(List.of(Entry.file("file.txt", 0, 0, new byte[0])), Format.USTAR);
        assertEquals("tarsum+sha256:626c4a2e9a467d65c33ae81f7f3dedd4de8ccaee72af73223c4bc4718cbc7bbd", v0(empty));
        assertEquals("tarsum.dev+sha256:6ffd43a1573a9913325b4918e124ee982a99c0f3cba90fc032a65f5e20bdd465",
                fed(empty, Version.DEV, "sha256").sum(null));
        Entry another = Entry.file("another.txt", 0, 0, "test".getBytes(StandardCharsets.US_ASCII))
                .owner(1000, 1000, "slartibartfast", "users");
        assertEquals("tarsum.dev+sha256:b38166c059e11fb77bef30bf16fba7584446e80fcc156ff46d47e36c5305d8ef",
                fed(TarBytes.of(List.of(another), Format.USTAR), Version.DEV, "sha256").sum(null));
        Entry xattrs = Entry.file("xattrs.txt", 0, 0, "test".getBytes(StandardCharsets.US_ASCII))
                .owner(1000, 1000, "slartibartfast", "users");
        assertEquals("tarsum.dev+sha256:4cc2e71ac5d31833ab2be9b4f7842a14ce595ec96a37af4ed08f87bc374228cd",
                fed(TarBytes.of(List.of(xattrs.pax(xattr("user.key1", "value1", "user.key2", "value2"))), Format.USTAR),
                        Version.DEV, "sha256").sum(null));
        assertEquals("tarsum.dev+sha256:65f4284fa32c0d4112dd93c3637697805866415b570587e4fd266af241503760",
                fed(TarBytes.of(List.of(xattrs.pax(xattr("user.KEY1", "value1", "user.key2", "value2"))), Format.USTAR),
                        Version.DEV, "sha256").sum(null));
        assertEquals("tarsum+sha256:c12bb6f1303a9ddbf4576c52da74973c00d14c109bcfa76b708d5da1154a07fa",
                v0(TarBytes.of(List.of(xattrs.pax(xattr("user.NOT", "CALCULATED"))), Format.USTAR)));
    }

    private static Map<String, byte[]> xattr(String... kv) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put("SCHILY.xattr." + kv[i], kv[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void everyHeaderKindAsDockersCodeSumsIt() throws Exception {
        // expected values computed by docker's pkg/tarsum (uname/gname hashed, as before 2018) over these bytes:
        // directories, links, devices, fifo, whiteout, ustar prefix, GNU long name, PAX path/uid/uname/
        // fractional mtime, binary xattrs holding '\n' and '=', a UTF-8 name, a 70 kB file
        byte[] tar = kitchenSink();
        byte[] json = "{\"id\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("tarsum+sha256:9a87d3bfd5f9b6b5874fe4628e631faf3ac38a1dfe73221286cb2f2f0b6a4411",
                fed(tar, Version.V0, "sha256").sum(null));
        assertEquals("tarsum+sha256:554f8bcb11ca567237e9b0833956a9cda0401f2b719b9193546c1195777c31b5",
                fed(tar, Version.V0, "sha256").sum(json));
        assertEquals("tarsum.v1+sha256:4374b04a728a24fd6631b4c6121c409f5c95ae92d57b1ba377ed081ac0411ccf",
                fed(tar, Version.V1, "sha256").sum(null));
        assertEquals("tarsum.dev+sha256:4374b04a728a24fd6631b4c6121c409f5c95ae92d57b1ba377ed081ac0411ccf",
                fed(tar, Version.DEV, "sha256").sum(null));
        assertEquals("tarsum.v1+sha512:7b0a4eeb629bf012391a163a7b6d3367e7e4db4a539b21873661b6de0ed33c0b"
                        + "4ce365d5d42f79ef10a40c90bc8608350060a06b5123735a0eddfa858c0b62ce",
                fed(tar, Version.V1, "sha512").sum(json));
        assertEquals("tarsum+sha512:53940c23879d476ff91bce8e87e117b249693b42ac39aae55a881590ea8a317a"
                        + "2a545ec3ad46b2056ea6a01040e3ed5b8771c22de589dd6499eece498bb5a9dc",
                fed(tar, Version.V0, "sha512").sum(null));
        assertEquals(1, fed(tar, Version.V0, "sha256").sums(json).size(), "no duplicate paths: one possible value");
    }

    @Test
    void emptyStreamAndEmptyTarSumToTheHashOfTheExtraAlone() throws Exception {
        byte[] json = "{\"id\":\"e\"}".getBytes(StandardCharsets.UTF_8);
        String expected = "tarsum+sha256:" + V1StoreBuilder.sha256(json);
        assertEquals(expected, fed(new byte[0], Version.V0, "sha256").sum(json), "docker 0.6-1.2 empty layer");
        assertEquals(expected, fed(TarBytes.emptyLayer(), Version.V0, "sha256").sum(json), "1024 NULs");
        // TestEmptyTar: no entry, no extra: the hash of nothing
        assertEquals("tarsum+sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                fed(TarBytes.emptyLayer(), Version.V0, "sha256").sum(null));
    }

    @Test
    void checksumLabels() {
        assertEquals(new TarSum.Checksum(Version.V0, "sha256", "ab01"), TarSum.Checksum.parse("tarsum+sha256:AB01").orElseThrow());
        assertEquals(Version.V1, TarSum.Checksum.parse("tarsum.v1+sha256:ab").orElseThrow().version());
        assertEquals(Version.DEV, TarSum.Checksum.parse("tarsum.dev+sha512:ab").orElseThrow().version());
        assertTrue(TarSum.Checksum.parse("sha256:ab").isEmpty());
        assertTrue(TarSum.Checksum.parse("tarsum.v2+sha256:ab").isEmpty());
        assertTrue(TarSum.Checksum.parse("tarsum+md5:ab").isEmpty());
        assertTrue(TarSum.Checksum.parse("tarsum+sha256:").isEmpty());
        assertEquals("tarsum.v1+sha256:ab", TarSum.Checksum.parse("tarsum.v1+sha256:ab").orElseThrow().toString());
    }
}
