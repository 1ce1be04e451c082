package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.nimbusds.jose.JWSAlgorithm;
import io.berth.server.auth.TestTokens;
import io.berth.server.tls.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth serve} with {@code auth.htpasswd} and {@code auth.token} against the real skopeo
 * (and curl) clients: credentials push and pull, wrong ones are refused with 401, htpasswd file
 * changes apply without a restart, a missing htpasswd file is provisioned with a logged password,
 * and the Docker token flow runs through a token server the test starts.
 */
class AuthSkopeoTest {
    @TempDir
    static Path images;
    static TestImages.Image image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImage() {
        image = TestImages.multiLayer(images.resolve("img"), "v1", 4242, 2, 2 << 20);
    }

    static String htpasswdEntry(String user, String password) {
        return user + ":" + new String(BCrypt.with(BCrypt.Version.VERSION_2Y).hash(6, password.toCharArray())) + "\n";
    }

    static String htpasswdYaml(Path file) {
        return "auth:\n  htpasswd:\n    realm: Berth Registry\n    path: '" + file + "'\n";
    }

    static void assertRefused(Processes.Result r) {
        assertNotEquals(0, r.exitCode(), r.describe());
        String out = r.output().toLowerCase(Locale.ROOT);
        assertTrue(out.contains("401") || out.contains("unauthorized") || out.contains("authentication required"),
                r.describe());
    }

    @Test
    void htpasswdCredentialsPushAndPullWrongOnesAreRefusedAndFileChangesApply() throws IOException {
        Path htpasswd = tmp.resolve("htpasswd");
        Files.writeString(htpasswd, htpasswdEntry("alice", "wonderland"));
        try (ServeProcess berth = ServeProcess.start(tmp, htpasswdYaml(htpasswd), null)) {
            String ref = Skopeo.docker(berth.hostPort(), "team/app:v1");
            Skopeo.copy(image.ociRef(), ref, "--dest-creds", "alice:wonderland");
            Path out = tmp.resolve("pulled");
            Skopeo.copy(ref, Skopeo.oci(out, "v1"), "--src-creds", "alice:wonderland");
            assertEquals(image.manifestDigest(), TestImages.resolveTag(out, "v1").digest());

            assertRefused(Skopeo.tryCopy(ref, Skopeo.oci(tmp.resolve("x"), "v1"), "--src-creds", "alice:wrong"));
            assertRefused(Skopeo.tryCopy(ref, Skopeo.oci(tmp.resolve("y"), "v1")));
            assertRefused(Skopeo.tryCopy(image.ociRef(), Skopeo.docker(berth.hostPort(), "team/app:v2"),
                    "--dest-creds", "bob:builder"));
            Http.Response r = Http.get("http://" + berth.hostPort() + "/v2/team/app/tags/list",
                    "Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("alice:wrong".getBytes()));
            assertEquals(401, r.status(), r.toString());
            assertEquals("Basic realm=\"Berth Registry\"", r.header("WWW-Authenticate"));

            // bob is added while the registry runs; alice's password changes
            Files.writeString(htpasswd, htpasswdEntry("alice", "looking-glass") + htpasswdEntry("bob", "builder"));
            Files.setLastModifiedTime(htpasswd, FileTime.from(Instant.now().plusSeconds(2)));
            Skopeo.copy(image.ociRef(), Skopeo.docker(berth.hostPort(), "team/app:v2"), "--dest-creds", "bob:builder");
            assertEquals(List.of("v1", "v2"), listTags(Skopeo.docker(berth.hostPort(), "team/app"), "alice:looking-glass"));
            assertRefused(Skopeo.tryCopy(ref, Skopeo.oci(tmp.resolve("z"), "v1"), "--src-creds", "alice:wonderland"));
        }
    }

    @Test
    void missingHtpasswdFileIsProvisionedAndItsPasswordLogged() {
        Path htpasswd = tmp.resolve("auth/htpasswd");
        try (ServeProcess berth = ServeProcess.start(tmp, htpasswdYaml(htpasswd), null)) {
            Matcher m = Pattern.compile("user=docker password=(\\S+)").matcher(berth.log());
            assertTrue(m.find(), berth.log());
            assertTrue(Files.isRegularFile(htpasswd));
            Skopeo.copy(image.ociRef(), Skopeo.docker(berth.hostPort(), "first/image:v1"),
                    "--dest-creds", "docker:" + m.group(1));
            assertRefused(Skopeo.tryCopy(image.ociRef(), Skopeo.docker(berth.hostPort(), "first/image:v2"),
                    "--dest-creds", "docker:guess"));
        }
    }

    @Test
    void tokenFlowThroughATokenServer() throws Exception {
        TestPki.Pair signer = TestPki.selfSigned(tmp.resolve("pki"), "token-signer", TestPki.KeyType.EC_PKCS8);
        TestTokens tokens = new TestTokens(signer, JWSAlgorithm.ES256);
        Map<String, TokenServer.User> users = Map.of(
                "alice", new TokenServer.User("alice-pw", Map.of("team/app", Set.of("*"), "team/tools", Set.of("*"))),
                "bob", new TokenServer.User("bob-pw", Map.of("team/app", Set.of("pull"))));
        try (TokenServer issuer = new TokenServer(tokens, users);
             ServeProcess berth = ServeProcess.start(tmp, "auth:\n  token:\n    realm: " + issuer.realm() + "\n"
                     + "    service: " + TestTokens.SERVICE + "\n    issuer: " + TestTokens.ISSUER + "\n"
                     + "    rootcertbundle: '" + signer.cert() + "'\n", null)) {
            String ref = Skopeo.docker(berth.hostPort(), "team/app:v1");
            Skopeo.copy(image.ociRef(), ref, "--dest-creds", "alice:alice-pw");
            assertTrue(issuer.requestedScopes.contains("repository:team/app:pull,push"), issuer.requestedScopes.toString());
            Path out = tmp.resolve("bob-pulled");
            Skopeo.copy(ref, Skopeo.oci(out, "v1"), "--src-creds", "bob:bob-pw");
            assertEquals(image.manifestDigest(), TestImages.resolveTag(out, "v1").digest());

            // bob may pull but not push; anonymous and wrong passwords get nothing
            assertRefused(Skopeo.tryCopy(image.ociRef(), Skopeo.docker(berth.hostPort(), "team/app:bob"),
                    "--dest-creds", "bob:bob-pw"));
            assertRefused(Skopeo.tryCopy(ref, Skopeo.oci(tmp.resolve("anon"), "v1")));
            Processes.Result wrong = Skopeo.tryCopy(ref, Skopeo.oci(tmp.resolve("wrong"), "v1"), "--src-creds", "bob:nope");
            assertNotEquals(0, wrong.exitCode(), wrong.describe());
            assertRefused(Skopeo.tryCopy(ref, Skopeo.oci(tmp.resolve("mallory"), "v1"), "--src-creds", "alice:x"));
            assertEquals(List.of("v1"), listTags(Skopeo.docker(berth.hostPort(), "team/app"), "bob:bob-pw"));

            // the same flow with curl: challenge, token from the realm, request with the token
            String url = "http://" + berth.hostPort() + "/v2/team/app/tags/list";
            Processes.Result challenge = curl("-s", "-D", "-", "-o", "/dev/null", url);
            Matcher realm = Pattern.compile("(?i)www-authenticate: Bearer realm=\"([^\"]+)\",service=\"([^\"]+)\","
                    + "scope=\"([^\"]+)\"").matcher(challenge.stdout());
            assertTrue(realm.find(), challenge.stdout());
            assertEquals("repository:team/app:pull", realm.group(3));
            Processes.Result token = curl("-s", "-u", "bob:bob-pw", "-G", realm.group(1), "--data-urlencode",
                    "service=" + realm.group(2), "--data-urlencode", "scope=" + realm.group(3));
            String jwt = TestImages.parseJson(token.stdoutBytes()).path("token").asText();
            Processes.Result tags = curl("-s", "-H", "Authorization: Bearer " + jwt, url);
            assertEquals("{\"name\":\"team/app\",\"tags\":[\"v1\"]}", tags.stdout().strip());
            Processes.Result push = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                    "-H", "Authorization: Bearer " + jwt, "http://" + berth.hostPort() + "/v2/team/app/blobs/uploads/");
            assertEquals("401", push.stdout());
        }
    }

    static List<String> listTags(String repoRef, String creds) {
        Processes.Result r = Skopeo.run("list-tags", "--tls-verify=false", "--creds", creds, repoRef);
        assertEquals(0, r.exitCode(), r.describe());
        return TestImages.texts(TestImages.parseJson(r.stdoutBytes()).path("Tags"));
    }

    static Processes.Result curl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "--max-time", "30"));
        cmd.addAll(List.of(args));
        return Processes.runChecked(cmd, null, Duration.ofMinutes(1));
    }
}
