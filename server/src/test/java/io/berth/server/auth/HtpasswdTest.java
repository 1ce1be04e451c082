package io.berth.server.auth;

import static io.berth.server.auth.AuthServer.basic;
import static io.berth.server.auth.AuthServer.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.berth.server.config.ConfigException;
import io.berth.server.it.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.htpasswd} in front of the API: Basic challenges, bcrypt entries of each variant,
 * other hash kinds never matching, the file re-read when it changes (users added, passwords
 * changed, users removed, without a restart), and a missing file provisioned as distribution does.
 */
class HtpasswdTest {
    static final String CHALLENGE = "Basic realm=\"Registry Realm\"";

    @TempDir
    Path tmp;
    AuthServer srv;

    static String entry(String user, String password, BCrypt.Version version) {
        return user + ":" + new String(BCrypt.with(version).hash(5, password.toCharArray()));
    }

    AuthServer start(Path htpasswd) throws Exception {
        srv = new AuthServer(tmp.resolve("store"), (AccessController) AccessControllers.fromConfig(
                Map.of("htpasswd", Map.of("realm", "Registry Realm", "path", htpasswd.toString()))));
        return srv;
    }

    @AfterEach
    void stop() throws Exception {
        if (srv != null) {
            srv.close();
        }
    }

    static void assertChallenged(HttpResponse<byte[]> r) {
        assertEquals(401, r.statusCode(), body(r));
        assertEquals(List.of(CHALLENGE), r.headers().allValues("WWW-Authenticate"));
        assertTrue(body(r).contains("\"code\":\"UNAUTHORIZED\""), body(r));
    }

    @Test
    void bcryptUsersGetInOthersAreChallenged() throws Exception {
        Path file = tmp.resolve("htpasswd");
        Files.writeString(file, "# registry users\n\n" + entry("alice", "wonderland", BCrypt.Version.VERSION_2Y) + "\n"
                + entry("bob", "builder", BCrypt.Version.VERSION_2A) + "\n"
                + "  " + entry("carol", "c4r0l", BCrypt.Version.VERSION_2B) + "  \n"
                + "dave:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n" // SHA-1 of "password": not bcrypt
                + "erin:$apr1$ZjTqBB3f$IF9gdYAGlMrs2fuINjHsz.\n" // Apache MD5: not bcrypt
                + "frank:plaintext\n");
        start(file);
        assertChallenged(srv.send("GET", "/v2/", null, null));
        assertChallenged(srv.send("GET", "/v2/team/app/tags/list", null, null));
        assertEquals(200, srv.send("GET", "/v2/", null, basic("alice", "wonderland")).statusCode());
        assertEquals(200, srv.send("GET", "/v2/", null, basic("bob", "builder")).statusCode());
        assertEquals(200, srv.send("GET", "/v2/", null, basic("carol", "c4r0l")).statusCode());
        // an authenticated user may push, pull and delete anywhere, as with distribution's htpasswd
        String d = srv.pushBlob("team/app", TestImages.randomBytes(100, 1), basic("alice", "wonderland"));
        assertEquals(200, srv.send("GET", "/v2/team/app/blobs/" + d, null, basic("bob", "builder")).statusCode());
        assertEquals(202, srv.send("DELETE", "/v2/team/app/blobs/" + d, null, basic("carol", "c4r0l")).statusCode());

        assertChallenged(srv.send("GET", "/v2/", null, basic("alice", "Wonderland")));
        assertChallenged(srv.send("GET", "/v2/", null, basic("alice", "")));
        assertChallenged(srv.send("GET", "/v2/", null, basic("mallory", "wonderland")));
        assertChallenged(srv.send("GET", "/v2/", null, basic("dave", "password")));
        assertChallenged(srv.send("GET", "/v2/", null, basic("erin", "password")));
        assertChallenged(srv.send("GET", "/v2/", null, basic("frank", "plaintext")));
        assertChallenged(srv.send("GET", "/v2/", null, "Bearer " + "x".repeat(20)));
        assertChallenged(srv.send("GET", "/v2/", null, "Basic !!notbase64"));
        assertChallenged(srv.send("PUT", "/v2/team/app/manifests/v1", "{}".getBytes(), basic("alice", "nope"),
                "Content-Type", TestImages.OCI_MANIFEST));
    }

    @Test
    void fileChangesArePickedUpWithoutARestart() throws Exception {
        Path file = tmp.resolve("htpasswd");
        Files.writeString(file, entry("alice", "one", BCrypt.Version.VERSION_2Y) + "\n");
        start(file);
        assertEquals(200, srv.send("GET", "/v2/", null, basic("alice", "one")).statusCode());
        assertChallenged(srv.send("GET", "/v2/", null, basic("dave", "new")));

        rewrite(file, entry("alice", "two", BCrypt.Version.VERSION_2Y) + "\n" + entry("dave", "new", BCrypt.Version.VERSION_2Y));
        assertEquals(200, srv.send("GET", "/v2/", null, basic("dave", "new")).statusCode());
        assertEquals(200, srv.send("GET", "/v2/", null, basic("alice", "two")).statusCode());
        assertChallenged(srv.send("GET", "/v2/", null, basic("alice", "one"))); // no stale remembered password

        rewrite(file, entry("dave", "new", BCrypt.Version.VERSION_2Y) + "\n");
        assertChallenged(srv.send("GET", "/v2/", null, basic("alice", "two")));

        // a broken edit refuses everyone (500) rather than serving with an old user list
        rewrite(file, "dave\n");
        HttpResponse<byte[]> broken = srv.send("GET", "/v2/", null, basic("dave", "new"));
        assertEquals(500, broken.statusCode(), body(broken));
        rewrite(file, entry("dave", "new", BCrypt.Version.VERSION_2Y) + "\n");
        assertEquals(200, srv.send("GET", "/v2/", null, basic("dave", "new")).statusCode());
    }

    @Test
    void missingFileIsProvisionedWithARandomPassword() throws Exception {
        Path file = tmp.resolve("auth/sub/htpasswd");
        start(file);
        String content = Files.readString(file);
        assertTrue(content.matches("docker:\\$2a\\$10\\$[./A-Za-z0-9]{53}"), content);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertChallenged(srv.send("GET", "/v2/", null, basic("docker", "")));
    }

    @Test
    void malformedFileStopsStartUp() throws Exception {
        Path file = tmp.resolve("htpasswd");
        Files.writeString(file, "alice\n");
        ConfigException e = assertThrows(ConfigException.class, () -> start(file));
        assertTrue(e.getMessage().contains("invalid entry at line 1"), e.getMessage());
    }

    @Test
    void sillyLetsAnyAuthorizationHeaderThrough() throws Exception {
        srv = new AuthServer(tmp.resolve("store"), (AccessController) AccessControllers.fromConfig(
                Map.of("silly", Map.of("realm", "https://auth.test/token", "service", "silly-registry"))));
        HttpResponse<byte[]> r = srv.send("POST", "/v2/team/app/blobs/uploads/", null, null);
        assertEquals(401, r.statusCode());
        assertEquals(List.of("Bearer realm=\"https://auth.test/token\",service=\"silly-registry\","
                + "scope=\"repository:team/app:pull repository:team/app:push\""), r.headers().allValues("WWW-Authenticate"));
        assertEquals(List.of("Bearer realm=\"https://auth.test/token\",service=\"silly-registry\""),
                srv.send("GET", "/v2/", null, null).headers().allValues("WWW-Authenticate"));
        assertEquals(202, srv.send("POST", "/v2/team/app/blobs/uploads/", null, "anything").statusCode());
        assertEquals(200, srv.send("GET", "/v2/_catalog", null, "Bearer whatever").statusCode());
    }

    /** New content with a modification time that surely differs from the last one read. */
    private static void rewrite(Path file, String content) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochMilli(
                Math.max(System.currentTimeMillis(), before.toMillis() + 1000))));
    }
}
