package io.berth.migrate.v1;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * docker's TarSum (github.com/docker/docker/pkg/tarsum, {@code tarsum_spec.md}), the layer
 * checksum V1 stores of docker 0.6–0.9 and registry 0.5–0.9.0 hold in {@code _checksum} (spec §5):
 * for every tar entry, a hash over its selected header fields written as {@code key + value}
 * (numbers in decimal) and then its content; the final value is the hash over the "extra"
 * payload (for a V1 layer: the image JSON exactly as stored, no newline) followed by the sorted
 * hex entry sums. Versions: {@code tarsum} (v0: name, mode, uid, gid, size, mtime, typeflag,
 * linkname, uname, gname, devmajor, devminor), {@code tarsum.v1} and {@code tarsum.dev} (v0
 * without mtime, then the {@code SCHILY.xattr.*} records sorted by key).
 *
 * <p>uname and gname are hashed, as every docker that spoke to a V1 registry did; docker ≥ 18.03
 * (moby a422774e, for Go 1.10) hashes them empty. Header values are what Go's archive/tar
 * returned (see {@link TarCheck.Header}): the raw name (no {@code ./} or {@code /} cleanup) and
 * the raw typeflag byte. Fed by {@link TarCheck} in the layer's single streaming pass.
 */
public final class TarSum implements TarCheck.Listener {

    public enum Version {
        V0("tarsum"), V1("tarsum.v1"), DEV("tarsum.dev");

        public final String label;

        Version(String label) {
            this.label = label;
        }
    }

    /** A tarsum checksum as written: {@code <version>+<hash>:<hex>}, e.g. {@code tarsum+sha256:4095cc12…}. */
    public record Checksum(Version version, String hash, String hex) {
        /** Empty when {@code s} is not a tarsum of a known version and hash. */
        public static Optional<Checksum> parse(String s) {
            int plus = s.indexOf('+');
            int colon = s.indexOf(':');
            if (plus < 0 || colon < plus) {
                return Optional.empty();
            }
            String label = s.substring(0, plus);
            String hash = s.substring(plus + 1, colon);
            String hex = s.substring(colon + 1).trim().toLowerCase(java.util.Locale.ROOT);
            for (Version v : Version.values()) {
                if (v.label.equals(label) && HASHES.containsKey(hash) && hex.matches("[0-9a-f]+")) {
                    return Optional.of(new Checksum(v, hash, hex));
                }
            }
            return Optional.empty();
        }

        @Override
        public String toString() {
            return version.label + "+" + hash + ":" + hex;
        }
    }

    private static final Map<String, String> HASHES = Map.of("sha256", "SHA-256", "sha512", "SHA-512");

    private record FileSum(String name, String sum, int pos) {
    }

    private final Version version;
    private final String hash;
    private final MessageDigest md;
    private final List<FileSum> sums = new ArrayList<>();
    private String current;

    /** @param hash {@code sha256} or {@code sha512} (the hashes docker's tarsum accepts besides weak ones) */
    public TarSum(Version version, String hash) {
        if (!HASHES.containsKey(hash)) {
            throw new IllegalArgumentException("tarsum hash " + hash + " is not supported");
        }
        this.version = version;
        this.hash = hash;
        this.md = digest(hash);
    }

    /** The tarsum of a whole uncompressed tar stream (tests, fixtures). */
    public static String of(InputStream tar, Version version, byte[] extra) throws IOException {
        TarSum ts = new TarSum(version, "sha256");
        TarCheck check = new TarCheck(ts);
        byte[] buf = new byte[64 * 1024];
        int n;
        try {
            while ((n = tar.read(buf)) > 0) {
                check.feed(buf, 0, n);
            }
            check.finish();
        } catch (TarCheck.TarException e) {
            throw new IOException(e.getMessage(), e);
        }
        return ts.sum(extra);
    }

    @Override
    public void entry(TarCheck.Header h) {
        closeEntry();
        current = h.name();
        field("name", h.name());
        field("mode", Long.toString(h.mode()));
        field("uid", Long.toString(h.uid()));
        field("gid", Long.toString(h.gid()));
        field("size", Long.toString(h.size()));
        if (version == Version.V0) {
            field("mtime", Long.toString(h.mtime()));
        }
        field("typeflag", new String(new byte[] {h.typeflag()}, StandardCharsets.ISO_8859_1));
        field("linkname", h.linkname());
        field("uname", h.uname());
        field("gname", h.gname());
        field("devmajor", Long.toString(h.devmajor()));
        field("devminor", Long.toString(h.devminor()));
        if (version != Version.V0) {
            h.xattrs().forEach(this::field); // sorted by key
        }
    }

    private void field(String key, String value) {
        md.update(key.getBytes(StandardCharsets.ISO_8859_1));
        md.update(value.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void data(byte[] b, int off, int len) {
        md.update(b, off, len);
    }

    private void closeEntry() {
        if (current != null) {
            sums.add(new FileSum(current, HexFormat.of().formatHex(md.digest()), sums.size()));
            current = null;
        }
    }

    /** {@code <version>+<hash>:<hex>} as docker's {@code TarSum.Sum(extra)} returns it (docker ≥ 1.2). */
    public String sum(byte[] extra) {
        closeEntry();
        return finish(extra, goOrder(sums));
    }

    /**
     * Every value the producers of V1-era tarsums could have written for this tar. They differ only
     * when two entries have the same path: docker ≥ 1.2 keeps both in path order, docker ≤ 1.1 kept
     * the last one only (a map by name), and the registry's Python kept both sorted by sum alone.
     */
    public Set<String> sums(byte[] extra) {
        String canonical = sum(extra);
        Set<String> out = new LinkedHashSet<>(List.of(canonical));
        Set<String> seen = new HashSet<>();
        boolean dups = false;
        for (FileSum f : sums) {
            dups |= !seen.add(clean(f.name()));
        }
        if (dups) {
            List<FileSum> bySum = new ArrayList<>(sums);
            bySum.sort(Comparator.comparing(FileSum::sum));
            out.add(finish(extra, bySum));
            Map<String, FileSum> lastByName = new LinkedHashMap<>();
            for (FileSum f : sums) {
                lastByName.put(legacyKey(f.name()), f);
            }
            List<FileSum> map = new ArrayList<>(lastByName.values());
            map.sort(Comparator.comparing(FileSum::sum));
            out.add(finish(extra, map));
        }
        return out;
    }

    private String finish(byte[] extra, List<FileSum> ordered) {
        MessageDigest h = digest(hash);
        if (extra != null) {
            h.update(extra);
        }
        for (FileSum f : ordered) {
            h.update(f.sum().getBytes(StandardCharsets.US_ASCII));
        }
        return version.label + "+" + hash + ":" + HexFormat.of().formatHex(h.digest());
    }

    /**
     * docker's {@code FileInfoSums.SortBySums}: by sum, except that entries of the same path keep
     * their order in the archive. That relation is not a total order, so with duplicate paths the
     * result follows Go's algorithm; Go's sort is an insertion sort below 12 elements, used here for
     * any size (larger archives with duplicate paths got an order that depends on the Go release).
     */
    private static List<FileSum> goOrder(List<FileSum> in) {
        List<FileSum> out = new ArrayList<>(in);
        Set<String> names = new HashSet<>();
        boolean dups = false;
        for (FileSum f : in) {
            dups |= !names.add(clean(f.name()));
        }
        if (!dups) {
            out.sort(Comparator.comparing(FileSum::sum));
            return out;
        }
        for (int i = 1; i < out.size(); i++) {
            for (int j = i; j > 0 && goLess(out.get(j), out.get(j - 1)); j--) {
                FileSum t = out.get(j);
                out.set(j, out.get(j - 1));
                out.set(j - 1, t);
            }
        }
        return out;
    }

    private static boolean goLess(FileSum a, FileSum b) {
        if (clean(a.name()).equals(clean(b.name()))) {
            return a.pos() < b.pos();
        }
        return a.sum().compareTo(b.sum()) < 0;
    }

    /** Go's {@code path.Join(".", path.Join("/", name))}: the path docker compares for duplicates. */
    static String clean(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return parts.isEmpty() ? "." : String.join("/", parts);
    }

    /** docker ≤ 1.1's map key: the name without a leading {@code ./} and a trailing {@code /}. */
    private static String legacyKey(String name) {
        String s = name.startsWith("./") ? name.substring(2) : name;
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static MessageDigest digest(String hash) {
        try {
            return MessageDigest.getInstance(HASHES.get(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
