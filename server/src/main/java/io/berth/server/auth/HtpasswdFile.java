package io.berth.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users of an htpasswd file, parsed as distribution parses it: {@code user:hash} lines,
 * blank lines and lines starting with {@code #} skipped, a line without a colon is an error.
 * Only bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}, as {@code htpasswd -B} writes
 * them) can match; any other kind is logged and never matches, as in distribution.
 */
final class HtpasswdFile {
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdFile.class);
    // bcrypt truncates passwords at 72 bytes, as Apache's htpasswd and Go's bcrypt did
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(BCrypt.Version.VERSION_2A,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));
    /** Checked against for unknown users, so that a user's existence does not show in the timing. */
    private static final byte[] DUMMY_HASH = BCrypt.withDefaults().hash(BCrypt.MIN_COST + 6,
            "no such user".toCharArray());

    private final Map<String, byte[]> entries;

    private HtpasswdFile(Map<String, byte[]> entries) {
        this.entries = entries;
    }

    static HtpasswdFile read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, byte[]> entries = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int colon = t.indexOf(':');
            if (colon < 0) {
                throw new IOException("htpasswd " + file + ": invalid entry at line " + (i + 1));
            }
            String user = t.substring(0, colon);
            String hash = t.substring(colon + 1);
            if (!isBcrypt(hash)) {
                LOG.warn("htpasswd {}: user \"{}\" at line {} has no bcrypt hash ($2y$/$2a$/$2b$; create it with "
                        + "htpasswd -B); it cannot log in", file, user, i + 1);
            }
            entries.put(user, hash.getBytes(StandardCharsets.UTF_8));
        }
        return new HtpasswdFile(entries);
    }

    static boolean isBcrypt(String hash) {
        return hash.length() == 60 && (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$"));
    }

    int size() {
        return entries.size();
    }

    /** Whether {@code password} is the user's; an unknown user costs a bcrypt check all the same. */
    boolean authenticate(String user, byte[] password) {
        byte[] hash = entries.get(user);
        if (hash == null || !isBcrypt(new String(hash, StandardCharsets.UTF_8))) {
            VERIFYER.verify(password, DUMMY_HASH);
            return false;
        }
        try {
            return VERIFYER.verify(password, hash).verified;
        } catch (IllegalArgumentException e) {
            return false; // a malformed hash
        }
    }
}
