package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import io.berth.server.config.ConfigException;
import io.berth.server.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What token signatures are checked against: the root certificates of {@code rootcertbundle}
 * (for {@code x5c} chains, and by key id) and the keys of a {@code jwks} file (by their
 * {@code kid}), as distribution loads them.
 */
final class TokenKeys {
    private static final Logger LOG = LoggerFactory.getLogger(TokenKeys.class);
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    final List<X509Certificate> roots;
    final Map<String, PublicKey> byKeyId;

    TokenKeys(List<X509Certificate> roots, Map<String, PublicKey> byKeyId) {
        this.roots = List.copyOf(roots);
        this.byKeyId = Map.copyOf(byKeyId);
    }

    static TokenKeys load(String rootCertBundle, String jwks) {
        List<X509Certificate> roots = new ArrayList<>();
        Map<String, PublicKey> byKeyId = new LinkedHashMap<>();
        if (!rootCertBundle.isEmpty()) {
            try {
                roots.addAll(PemFiles.certificates(Path.of(rootCertBundle)));
            } catch (IOException e) {
                throw new ConfigException("auth.token.rootcertbundle: unable to read token auth root certificate bundle "
                        + rootCertBundle + ": " + e.getMessage());
            }
            for (X509Certificate c : roots) {
                for (String id : KeyIds.of(c.getPublicKey())) {
                    byKeyId.put(id, c.getPublicKey());
                }
            }
        }
        int jwkCount = 0;
        if (!jwks.isEmpty()) {
            JWKSet set;
            try {
                set = JWKSet.load(Path.of(jwks).toFile());
            } catch (IOException | ParseException e) {
                throw new ConfigException("auth.token.jwks: unable to read " + jwks + ": " + e.getMessage());
            }
            for (JWK k : set.getKeys()) {
                PublicKey key = publicKey(k);
                if (key == null) {
                    LOG.warn("auth.token.jwks {}: key {} of type {} is not supported and is skipped", jwks,
                            k.getKeyID(), k.getKeyType());
                    continue;
                }
                jwkCount++;
                if (k.getKeyID() != null) {
                    byKeyId.put(k.getKeyID(), key);
                }
                for (String id : KeyIds.thumbprints(key)) {
                    byKeyId.putIfAbsent(id, key);
                }
            }
        }
        if (roots.isEmpty() && jwkCount == 0) {
            throw new ConfigException("auth.token: token auth requires at least one token signing key "
                    + "(certificates in rootcertbundle or keys in jwks)");
        }
        return new TokenKeys(roots, byKeyId);
    }

    /** Whether {@code key} is one of the trusted keys (a JWK header without a certificate chain). */
    boolean trusts(PublicKey key) {
        for (PublicKey k : byKeyId.values()) {
            if (Arrays.equals(k.getEncoded(), key.getEncoded())) {
                return true;
            }
        }
        return false;
    }

    static PublicKey publicKey(JWK k) {
        try {
            if (k instanceof RSAKey rsa) {
                return rsa.toRSAPublicKey();
            }
            if (k instanceof ECKey ec) {
                return ec.toECPublicKey();
            }
            if (k instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                byte[] x = okp.getX().decode();
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
        } catch (JOSEException | GeneralSecurityException e) {
            LOG.warn("JWK {} cannot be used: {}", k.getKeyID(), e.getMessage());
        }
        return null;
    }
}
