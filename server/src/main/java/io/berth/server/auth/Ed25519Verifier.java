package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Set;

/**
 * EdDSA (Ed25519) JWS signatures checked by the JDK's own Ed25519 (Java 15+): nimbus's verifier
 * for it needs Google Tink, a large dependency for one algorithm the JDK already has.
 */
final class Ed25519Verifier implements JWSVerifier {
    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    Ed25519Verifier(PublicKey key) {
        this.key = key;
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
            throw new JOSEException("unsupported algorithm " + header.getAlgorithm() + " for an Ed25519 key");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature.decode());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
