package io.berth.server.auth;

import static io.berth.server.auth.TestTokens.ISSUER;
import static io.berth.server.auth.TestTokens.SERVICE;
import static io.berth.server.auth.TestTokens.access;
import static io.berth.server.auth.TestTokens.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import io.berth.server.config.ConfigException;
import io.berth.server.tls.TestPki;
import io.berth.server.tls.TestPki.KeyType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Token verification as distribution's: RS256, ES256 and EdDSA signers found by libtrust key id,
 * RFC 7638 thumbprint, x5c chain (through an intermediate) or JWK header; keys from the
 * rootcertbundle and from a jwks file; exp/nbf with 60 s leeway, aud, iss; and every way a token
 * that must not pass is refused, with the challenge distribution sends.
 */
class TokenVerificationTest {
    static final List<Access> PULL = List.of(Access.repository("team/app", "pull"));
    static final List<Map<String, Object>> GRANT = List.of(repo("team/app", "pull"));

    @TempDir
    static Path dir;
    static TestTokens rsa;
    static TestTokens ec;
    static TestTokens ed;
    static TestTokens viaIntermediate;
    static TestTokens missingIntermediate;
    static TestTokens jwksOnly;
    static TestTokens stranger;
    static Path bundle;
    static Path jwks;

    @BeforeAll
    static void keys() throws IOException {
        TestPki.Pair rsaPair = TestPki.selfSigned(dir, "rsa", KeyType.RSA_PKCS1);
        TestPki.Pair ecPair = TestPki.selfSigned(dir, "ec", KeyType.EC_SEC1);
        TestPki.Pair edPair = TestPki.selfSigned(dir, "ed", KeyType.ED25519);
        TestPki.Pair ca = TestPki.ca(dir, "token-ca");
        TestPki.Pair inter = TestPki.intermediate(dir, "token-intermediate", ca);
        TestPki.Pair leaf = TestPki.leaf(dir, "token-leaf", inter, KeyType.EC_PKCS8);
        rsa = new TestTokens(rsaPair, JWSAlgorithm.RS256);
        ec = new TestTokens(ecPair, JWSAlgorithm.ES256);
        ed = new TestTokens(edPair, JWSAlgorithm.EdDSA);
        viaIntermediate = new TestTokens(leaf, JWSAlgorithm.ES256, inter.certificate());
        missingIntermediate = new TestTokens(leaf, JWSAlgorithm.ES256);
        jwksOnly = new TestTokens(TestPki.selfSigned(dir, "jwks", KeyType.EC_PKCS8), JWSAlgorithm.ES256);
        stranger = new TestTokens(TestPki.selfSigned(dir, "stranger", KeyType.RSA_PKCS8), JWSAlgorithm.RS256);
        bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(rsaPair.cert()) + Files.readString(ecPair.cert())
                + Files.readString(edPair.cert()) + Files.readString(ca.cert()));
        jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(jwksOnly.publicJwk(), ed.publicJwk())).toString());
    }

    static TokenAccessController controller(String bundlePath, String jwksPath, Set<JWSAlgorithm> algs) {
        return new TokenAccessController(new TokenAccessController.Options("https://auth.test/token", SERVICE, ISSUER,
                bundlePath, jwksPath, false, null, algs));
    }

    static TokenAccessController bundleController() {
        return controller(bundle.toString(), "", Set.of());
    }

    static Decision authorize(TokenAccessController c, String token, List<Access> required) {
        return c.authorize(new AuthRequest("Bearer " + token, "registry.test:5000"), required);
    }

    static void assertGranted(TokenAccessController c, String token) {
        Decision d = authorize(c, token, PULL);
        assertInstanceOf(Decision.Granted.class, d, d.toString());
    }

    static void assertInvalid(TokenAccessController c, String token) {
        Decision d = authorize(c, token, PULL);
        Decision.Challenged ch = assertInstanceOf(Decision.Challenged.class, d);
        assertEquals("Bearer realm=\"https://auth.test/token\",service=\"" + SERVICE
                + "\",scope=\"repository:team/app:pull\",error=\"invalid_token\"", ch.challenge());
    }

    static String token(TestTokens t, TestTokens.KeyRef ref) {
        Instant now = Instant.now();
        return t.issue("alice", GRANT, now.minusSeconds(5), now.plusSeconds(300), SERVICE, ISSUER, ref);
    }

    @ParameterizedTest
    @EnumSource(value = TestTokens.KeyRef.class, names = {"KID_LIBTRUST", "KID_THUMBPRINT", "X5C", "JWK"})
    void rsaEcAndEd25519SignersFromTheBundle(TestTokens.KeyRef ref) {
        TokenAccessController c = bundleController();
        assertGranted(c, token(rsa, ref));
        assertGranted(c, token(ec, ref));
        if (ref != TestTokens.KeyRef.KID_LIBTRUST) { // libtrust has no Ed25519 key ids
            assertGranted(c, token(ed, ref));
        }
    }

    @Test
    void x5cChainThroughAnIntermediateToABundleRoot() {
        TokenAccessController c = bundleController();
        assertGranted(c, token(viaIntermediate, TestTokens.KeyRef.X5C));
        assertInvalid(c, token(missingIntermediate, TestTokens.KeyRef.X5C));
        // the leaf's own key is not trusted by id: only its chain makes it so
        assertInvalid(c, token(viaIntermediate, TestTokens.KeyRef.KID_THUMBPRINT));
    }

    @Test
    void keysFromAJwksFile() {
        TokenAccessController jwksController = controller("", jwks.toString(), Set.of());
        assertGranted(jwksController, token(jwksOnly, TestTokens.KeyRef.KID_THUMBPRINT));
        assertGranted(jwksController, token(ed, TestTokens.KeyRef.KID_THUMBPRINT));
        assertGranted(jwksController, token(jwksOnly, TestTokens.KeyRef.JWK));
        assertInvalid(jwksController, token(rsa, TestTokens.KeyRef.KID_LIBTRUST));
        TokenAccessController both = controller(bundle.toString(), jwks.toString(), Set.of());
        assertGranted(both, token(jwksOnly, TestTokens.KeyRef.KID_THUMBPRINT));
        assertGranted(both, token(rsa, TestTokens.KeyRef.X5C));
    }

    @Test
    void untrustedSignersAreRefused() {
        TokenAccessController c = bundleController();
        for (TestTokens.KeyRef ref : TestTokens.KeyRef.values()) {
            assertInvalid(c, token(stranger, ref));
        }
        assertInvalid(c, token(rsa, TestTokens.KeyRef.NONE)); // no way to find the key
    }

    @Test
    void claimsAreCheckedWithDistributionsLeeway() {
        TokenAccessController c = bundleController();
        Instant now = Instant.now();
        TestTokens.KeyRef kid = TestTokens.KeyRef.KID_LIBTRUST;
        assertGranted(c, rsa.issue("a", GRANT, null, now.minusSeconds(30), SERVICE, ISSUER, kid));
        assertInvalid(c, rsa.issue("a", GRANT, null, now.minusSeconds(120), SERVICE, ISSUER, kid));
        assertGranted(c, rsa.issue("a", GRANT, now.plusSeconds(30), now.plusSeconds(300), SERVICE, ISSUER, kid));
        assertInvalid(c, rsa.issue("a", GRANT, now.plusSeconds(120), now.plusSeconds(300), SERVICE, ISSUER, kid));
        assertInvalid(c, rsa.issue("a", GRANT, null, null, SERVICE, ISSUER, kid)); // no exp: exp 0, long expired
        assertInvalid(c, rsa.issue("a", GRANT, null, now.plusSeconds(300), "another-registry", ISSUER, kid));
        assertInvalid(c, rsa.issue("a", GRANT, null, now.plusSeconds(300), SERVICE, "another-issuer", kid));
    }

    @Test
    void tamperedUnsignedAndConfusedTokensAreRefused() {
        TokenAccessController c = bundleController();
        String good = token(rsa, TestTokens.KeyRef.KID_LIBTRUST);
        String[] parts = good.split("\\.");
        String morePayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + SERVICE + "\",\"exp\":" + (Instant.now().getEpochSecond() + 300)
                        + ",\"access\":[{\"type\":\"repository\",\"name\":\"team/app\",\"actions\":[\"*\"]}]}").getBytes());
        assertInvalid(c, parts[0] + "." + morePayload + "." + parts[2]);
        String noneHeader = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertInvalid(c, noneHeader + "." + parts[1] + ".");
        // alg confusion: the same key id, HMAC instead of RSA
        String hsHeader = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(
                Base64.getUrlDecoder().decode(parts[0])).replace("RS256", "HS256").getBytes());
        assertInvalid(c, hsHeader + "." + parts[1] + "." + parts[2]);
        assertInvalid(c, "a.b");
        // "Bearer " with nothing after it: no token at all, as distribution 3 (challenge without error)
        Decision.Challenged empty = assertInstanceOf(Decision.Challenged.class, authorize(c, "", PULL));
        assertTrue(empty.challenge().endsWith("scope=\"repository:team/app:pull\""), empty.challenge());
        // only the configured algorithms pass
        TokenAccessController esOnly = controller(bundle.toString(), "", Set.of(JWSAlgorithm.ES256));
        assertInvalid(esOnly, good);
        assertGranted(esOnly, token(ec, TestTokens.KeyRef.KID_LIBTRUST));
    }

    @Test
    void accessClaimsAreEnforcedPerRepositoryAndAction() {
        TokenAccessController c = bundleController();
        String token = rsa.issue("bob", List.of(repo("team/app", "pull", "push"), repo("team/tools", "*"),
                access("registry", "catalog", "*")));
        List<Access> pushApp = List.of(Access.repository("team/app", "pull"), Access.repository("team/app", "push"));
        assertInstanceOf(Decision.Granted.class, authorize(c, token, pushApp));
        assertEquals(new Decision.Granted("bob"), authorize(c, token, List.of(Access.repository("team/tools", "delete"))));
        assertInstanceOf(Decision.Granted.class, authorize(c, token, List.of(new Access("registry", "catalog", "*"))));
        Decision.Challenged d = assertInstanceOf(Decision.Challenged.class,
                authorize(c, token, List.of(Access.repository("team/app", "delete"))));
        assertTrue(d.challenge().endsWith(",scope=\"repository:team/app:delete\",error=\"insufficient_scope\""), d.challenge());
        // names are exact: no prefix matching
        assertInstanceOf(Decision.Challenged.class, authorize(c, token, List.of(Access.repository("team/app/x", "pull"))));
        assertInstanceOf(Decision.Challenged.class, authorize(c, token, List.of(Access.repository("team/ap", "pull"))));
        // a registry-type grant is not a repository grant of the same name
        assertInstanceOf(Decision.Challenged.class, authorize(c, token, List.of(Access.repository("catalog", "pull"))));
        // the base route needs authentication only
        assertEquals(new Decision.Granted("bob"), authorize(c, token, List.of()));
    }

    @Test
    void rememberedTokensStillExpire() {
        Instant start = Instant.now();
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(start);
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        TokenAccessController c = new TokenAccessController(new TokenAccessController.Options("https://auth.test/token",
                SERVICE, ISSUER, bundle.toString(), "", false, null, Set.of()), clock);
        String token = rsa.issue("a", GRANT, null, start.plusSeconds(120), SERVICE, ISSUER, TestTokens.KeyRef.X5C);
        assertGranted(c, token);
        now.set(start.plusSeconds(170)); // within the 60 s leeway
        assertGranted(c, token);
        now.set(start.plusSeconds(190));
        assertInvalid(c, token);
        now.set(start);
        assertGranted(c, token); // verified again from scratch, not refused from memory
    }

    @Test
    void challengesAsDistributionSendsThem() {
        TokenAccessController c = bundleController();
        List<Access> mount = List.of(Access.repository("a", "pull"), Access.repository("a", "push"),
                Access.repository("b", "pull"));
        Decision.Challenged none = assertInstanceOf(Decision.Challenged.class,
                c.authorize(new AuthRequest(null, "h"), mount));
        assertEquals("Bearer realm=\"https://auth.test/token\",service=\"" + SERVICE
                + "\",scope=\"repository:a:pull,push repository:b:pull\"", none.challenge());
        Decision.Challenged basic = assertInstanceOf(Decision.Challenged.class,
                c.authorize(new AuthRequest("Basic YTpi", "h"), List.of()));
        assertEquals("Bearer realm=\"https://auth.test/token\",service=\"" + SERVICE + "\"", basic.challenge());
        TokenAccessController redirect = new TokenAccessController(new TokenAccessController.Options("ignored",
                SERVICE, ISSUER, bundle.toString(), "", true, "/auth/token", Set.of()));
        Decision.Challenged r = assertInstanceOf(Decision.Challenged.class,
                redirect.authorize(new AuthRequest(null, "registry.test:5000"), List.of()));
        assertEquals("Bearer realm=\"https://registry.test:5000/auth/token\",service=\"" + SERVICE + "\"", r.challenge());
    }

    @Test
    void configurationMistakesStopStartUp() {
        assertThrows(ConfigException.class, () -> controller(dir.resolve("missing.pem").toString(), "", Set.of()));
        Path empty = dir.resolve("empty.pem");
        assertThrows(ConfigException.class, () -> {
            Files.writeString(empty, "");
            controller(empty.toString(), "", Set.of());
        });
        assertThrows(ConfigException.class, () -> AccessControllers.fromConfig(Map.of("token", Map.of(
                "realm", "r", "service", "s", "issuer", "i", "rootcertbundle", bundle.toString(),
                "signingalgorithms", List.of("HS256")))));
        ConfigException e = assertThrows(ConfigException.class, () -> AccessControllers.fromConfig(Map.of("token",
                Map.of("realm", "r", "issuer", "i", "rootcertbundle", bundle.toString()))));
        assertTrue(e.getMessage().startsWith("auth.token.service"), e.getMessage());
        assertThrows(ConfigException.class, () -> AccessControllers.fromConfig(Map.of("ldap", Map.of())));
        assertThrows(ConfigException.class, () -> AccessControllers.fromConfig(Map.of("silly",
                Map.of("realm", "r", "service", "s"), "htpasswd", Map.of("realm", "r", "path", "/p"))));
        assertInstanceOf(TokenAccessController.class, AccessControllers.fromConfig(Map.of("token", Map.of(
                "realm", "r", "service", "s", "issuer", "i", "rootcertbundle", bundle.toString(),
                "autoredirect", "true", "signingalgorithms", List.of("RS256", "EdDSA")))));
    }
}
