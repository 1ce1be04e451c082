package io.berth.core.digest;

/** A well-formed digest whose algorithm this registry does not implement (for example {@code blake3}). */
public class UnsupportedDigestAlgorithmException extends InvalidDigestException {
    public UnsupportedDigestAlgorithmException(String input, String algorithm) {
        super(input, "unsupported algorithm " + algorithm);
    }
}
