package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a Docker registry token as distribution's {@code token.Verify}: the signing key comes from
 * the header's {@code x5c} chain (verified up to a root of the bundle), a {@code jwk} (trusted, or
 * carrying such a chain) or a {@code kid} naming a trusted key; then the signature, {@code iss},
 * {@code aud} (must include the service), and {@code exp}/{@code nbf} with 60 s of leeway.
 * The JOSE parsing and RSA/EC signature checks are nimbus-jose-jwt's.
 */
final class TokenVerifier {
    static final Duration LEEWAY = Duration.ofSeconds(60);
    static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    private final String issuer;
    private final String service;
    private final TokenKeys keys;
    private final Set<JWSAlgorithm> algorithms;
    private final Clock clock;

    TokenVerifier(String issuer, String service, TokenKeys keys, Set<JWSAlgorithm> algorithms, Clock clock) {
        this.issuer = issuer;
        this.service = service;
        this.keys = keys;
        this.algorithms = Set.copyOf(algorithms);
        this.clock = clock;
    }

    /** A token that passed: who it was issued to, what it grants, and until when (exp). */
    record Verified(String subject, Map<String, Set<String>> actionsByResource, Instant expires) {
        boolean allows(Access a) {
            Set<String> actions = actionsByResource.get(a.type() + ":" + a.name());
            return actions != null && (actions.contains("*") || actions.contains(a.action()));
        }
    }

    /** Thrown for any token that must not pass; the message is for the log. */
    static final class InvalidTokenException extends Exception {
        InvalidTokenException(String message) {
            super(message);
        }
    }

    /** Whether a token verified earlier is still within its exp (plus leeway). */
    boolean unexpired(Verified v) {
        return !clock.instant().isAfter(v.expires().plus(LEEWAY));
    }

    Verified verify(String raw) throws InvalidTokenException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(raw);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token: " + e.getMessage());
        }
        JWSHeader header = jwt.getHeader();
        if (!algorithms.contains(header.getAlgorithm())) {
            throw new InvalidTokenException("signing algorithm " + header.getAlgorithm() + " is not accepted");
        }
        PublicKey key = signingKey(header);
        try {
            if (!jwt.verify(verifierFor(key))) {
                throw new InvalidTokenException("bad signature");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (JOSEException e) {
            throw new InvalidTokenException("signature not checkable: " + e.getMessage());
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed claims: " + e.getMessage());
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new InvalidTokenException("token from untrusted issuer \"" + claims.getIssuer() + "\"");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(service)) {
            throw new InvalidTokenException("token intended for another audience: " + claims.getAudience());
        }
        Instant now = clock.instant();
        Instant exp = instant(claims.getExpirationTime());
        if (now.isAfter(exp.plus(LEEWAY))) {
            throw new InvalidTokenException("token expired at " + exp);
        }
        Instant nbf = instant(claims.getNotBeforeTime());
        if (now.isBefore(nbf.minus(LEEWAY))) {
            throw new InvalidTokenException("token not valid before " + nbf);
        }
        return new Verified(claims.getSubject() == null ? "" : claims.getSubject(), access(claims), exp);
    }

    private static Instant instant(Date d) {
        return d == null ? Instant.EPOCH : d.toInstant(); // absent: 0, as in distribution (so no exp = expired)
    }

    private PublicKey signingKey(JWSHeader header) throws InvalidTokenException {
        if (header.getX509CertChain() != null && !header.getX509CertChain().isEmpty()) {
            return verifyChain(header.getX509CertChain());
        }
        JWK jwk = header.getJWK();
        if (jwk != null) {
            if (jwk.getX509CertChain() != null && !jwk.getX509CertChain().isEmpty()) {
                return verifyChain(jwk.getX509CertChain());
            }
            PublicKey key = TokenKeys.publicKey(jwk);
            if (key == null || !keys.trusts(key)) {
                throw new InvalidTokenException("untrusted JWK with no certificate chain");
            }
            return key;
        }
        if (header.getKeyID() != null && !header.getKeyID().isEmpty()) {
            PublicKey key = keys.byKeyId.get(header.getKeyID());
            if (key == null) {
                throw new InvalidTokenException("token signed by untrusted key with ID: \"" + header.getKeyID() + "\"");
            }
            return key;
        }
        throw new InvalidTokenException("unable to get token signing key (no x5c, jwk or kid)");
    }

    /** The leaf's key once the chain (leaf first, then intermediates) leads to a root of the bundle. */
    private PublicKey verifyChain(List<Base64> x5c) throws InvalidTokenException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> chain = new ArrayList<>();
            for (Base64 b : x5c) {
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.decode())));
            }
            X509Certificate leaf = chain.get(0);
            Date now = Date.from(clock.instant());
            if (keys.roots.contains(leaf)) {
                leaf.checkValidity(now);
                return leaf.getPublicKey();
            }
            Set<TrustAnchor> anchors = new HashSet<>();
            keys.roots.forEach(r -> anchors.add(new TrustAnchor(r, null)));
            if (anchors.isEmpty()) {
                throw new InvalidTokenException("x5c chain given but rootcertbundle holds no certificate");
            }
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            params.setRevocationEnabled(false);
            params.setDate(now);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
            PKIXCertPathBuilderResult r = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
            return ((X509Certificate) r.getCertPath().getCertificates().get(0)).getPublicKey();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidTokenException("unable to verify certificate chain: " + e.getMessage());
        }
    }

    private static JWSVerifier verifierFor(PublicKey key) throws JOSEException, InvalidTokenException {
        if (key instanceof RSAPublicKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (key instanceof ECPublicKey ec) {
            return new ECDSAVerifier(ec);
        }
        if (key instanceof EdECPublicKey) {
            return new Ed25519Verifier(key);
        }
        throw new InvalidTokenException("unsupported signing key type " + key.getAlgorithm());
    }

    /** The {@code access} claim: [{type, name, actions: [...]}, ...] keyed by {@code type:name}. */
    private static Map<String, Set<String>> access(JWTClaimsSet claims) throws InvalidTokenException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Object access = claims.getClaim("access");
        if (access == null) {
            return out;
        }
        if (!(access instanceof List<?> list)) {
            throw new InvalidTokenException("malformed access claim");
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("type") instanceof String type)
                    || !(m.get("name") instanceof String name)) {
                throw new InvalidTokenException("malformed access claim entry " + o);
            }
            Set<String> actions = out.computeIfAbsent(type + ":" + name, k -> new LinkedHashSet<>());
            if (m.get("actions") instanceof List<?> acts) {
                for (Object a : acts) {
                    if (a instanceof String s) {
                        actions.add(s);
                    }
                }
            }
        }
        return out;
    }
}
