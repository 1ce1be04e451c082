package io.berth.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth.htpasswd}: HTTP Basic against a bcrypt htpasswd file, as distribution's htpasswd
 * controller. Every authenticated user may do everything; the file is re-read when its
 * modification time changes, so users are added and removed without a restart. A missing file
 * is created at start-up with user {@code docker} and a random password that is logged once.
 * <p>
 * A bcrypt check costs tens of milliseconds of CPU, and a client sends many requests per image.
 * Credentials that passed are therefore remembered, as a salted SHA-256 with a per-process salt,
 * until the file changes; a failed check is never remembered, so guessing stays as slow as bcrypt.
 */
public final class HtpasswdAccessController implements AccessController {
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdAccessController.class);
    private static final int VERIFIED_CACHE_LIMIT = 4096;

    private final String realm;
    private final Path path;
    private final byte[] salt = new byte[32];
    private volatile Loaded loaded;

    /** One version of the file and the credentials verified against it (dropped with it). */
    private record Loaded(FileTime modified, HtpasswdFile file, Map<String, Boolean> verified) {
    }

    public HtpasswdAccessController(String realm, Path path) throws IOException {
        this.realm = realm;
        this.path = path;
        new SecureRandom().nextBytes(salt);
        createIfMissing(path);
    }

    @Override
    public String kind() {
        return "htpasswd";
    }

    @Override
    public Decision authorize(AuthRequest request, List<Access> required) throws IOException {
        Optional<BasicCredentials> creds = BasicCredentials.parse(request.authorization());
        if (creds.isEmpty()) {
            return challenge("no basic credentials");
        }
        Loaded current = current();
        Map<String, Boolean> verified = current.verified();
        String user = creds.get().user();
        String key = cacheKey(user, creds.get().password());
        if (!verified.containsKey(key)) {
            if (!current.file().authenticate(user, creds.get().password())) {
                LOG.error("error authenticating user \"{}\": authentication failure", user);
                return challenge("authentication failure for user " + user);
            }
            if (verified.size() >= VERIFIED_CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(key, Boolean.TRUE);
        }
        return new Decision.Granted(user);
    }

    private Decision challenge(String reason) {
        return new Decision.Challenged("Basic realm=" + Challenges.quote(realm), reason);
    }

    /** The parsed file, re-read when its modification time is not the one last read. */
    private Loaded current() throws IOException {
        FileTime modified = Files.getLastModifiedTime(path);
        Loaded l = loaded;
        if (l != null && l.modified().equals(modified)) {
            return l;
        }
        synchronized (this) {
            l = loaded;
            if (l == null || !l.modified().equals(modified)) {
                HtpasswdFile file = HtpasswdFile.read(path);
                if (l != null) {
                    LOG.info("htpasswd {} changed: {} users", path, file.size());
                }
                l = new Loaded(modified, file, new ConcurrentHashMap<>());
                loaded = l;
            }
            return l;
        }
    }

    private String cacheKey(String user, byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            sha.update(user.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password);
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** distribution's createHtpasswdFile: user "docker", 32 random bytes as password, logged as a warning. */
    private static void createIfMissing(Path path) throws IOException {
        if (Files.exists(path)) {
            HtpasswdFile.read(path); // unreadable or malformed: say so now, not at the first request
            return;
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String hash = BCrypt.withDefaults().hashToString(10, password.toCharArray());
        try {
            Files.writeString(path, "docker:" + hash, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (NoSuchFileException e) {
            throw new IOException("cannot create htpasswd file " + path + ": " + e.getMessage(), e);
        }
        LOG.warn("htpasswd is missing, provisioning with default user: user=docker password={} file={}", password, path);
    }
}
