package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.berth.server.tls.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A token issuer for the tests: signs Docker registry tokens with a key whose certificate is in
 * the registry's rootcertbundle (or whose JWK is in its jwks file), as a real token server does,
 * with nimbus-jose-jwt (Ed25519 with the JDK).
 */
public final class TestTokens {
    public static final String ISSUER = "berth-test-issuer";
    public static final String SERVICE = "berth-test-registry";

    /** How the token names its signing key. */
    public enum KeyRef {
        KID_LIBTRUST, KID_THUMBPRINT, X5C, JWK, NONE
    }

    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final JWSAlgorithm alg;

    public TestTokens(TestPki.Pair signer, JWSAlgorithm alg, X509Certificate... intermediates) {
        this.key = signer.privateKey();
        this.chain = new ArrayList<>(List.of(signer.certificate()));
        this.chain.addAll(Arrays.asList(intermediates));
        this.alg = alg;
    }

    /** One access claim entry: {@code type}, {@code name}, {@code actions}. */
    public static Map<String, Object> access(String type, String name, String... actions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("name", name);
        m.put("actions", List.of(actions));
        return m;
    }

    public static Map<String, Object> repo(String name, String... actions) {
        return access("repository", name, actions);
    }

    /** A token valid for five minutes from now for {@link #ISSUER} and {@link #SERVICE}. */
    public String issue(String subject, List<Map<String, Object>> access) {
        Instant now = Instant.now();
        return issue(subject, access, now.minusSeconds(5), now.plus(Duration.ofMinutes(5)), SERVICE, ISSUER, KeyRef.KID_LIBTRUST);
    }

    public String issue(String subject, List<Map<String, Object>> access, Instant nbf, Instant exp, String audience,
                        String issuer, KeyRef ref) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issuer(issuer).audience(audience)
                .issueTime(new Date()).jwtID(Long.toHexString(System.nanoTime())).claim("access", access);
        if (nbf != null) {
            claims.notBeforeTime(Date.from(nbf));
        }
        if (exp != null) {
            claims.expirationTime(Date.from(exp));
        }
        JWSHeader.Builder h = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT);
        switch (ref) {
            case KID_LIBTRUST -> h.keyID(KeyIds.libtrust(chain.get(0).getPublicKey()));
            case KID_THUMBPRINT -> h.keyID(KeyIds.thumbprints(chain.get(0).getPublicKey()).get(0));
            case X5C -> h.x509CertChain(x5c());
            case JWK -> h.jwk(publicJwk());
            default -> { }
        }
        return sign(h.build(), claims.build());
    }

    private List<Base64> x5c() {
        List<Base64> out = new ArrayList<>();
        for (X509Certificate c : chain) {
            try {
                out.add(Base64.encode(c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** The public JWK of the signing key, with {@code kid} set to its RFC 7638 thumbprint. */
    public JWK publicJwk() {
        var pub = chain.get(0).getPublicKey();
        String kid = KeyIds.thumbprints(pub).get(0);
        if (pub instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).keyID(kid).build();
        }
        if (pub instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.P_256, ec).keyID(kid).build();
        }
        byte[] enc = pub.getEncoded();
        return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(enc, enc.length - 32,
                enc.length))).keyID(kid).build();
    }

    private String sign(JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            if (alg.getName().startsWith("RS") || alg.getName().startsWith("PS")) {
                jwt.sign(new RSASSASigner(key));
                return jwt.serialize();
            }
            if (alg.getName().startsWith("ES")) {
                jwt.sign(new ECDSASigner((ECPrivateKey) key));
                return jwt.serialize();
            }
            // EdDSA: the JDK signs, nimbus only assembles
            String input = header.toBase64URL() + "." + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64URL.encode(s.sign());
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
