package io.berth.storage.s3;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 that, once {@code md5Only} says so, signs without the CRC32 checksum header
 * ({@code x-amz-checksum-crc32}) the SDK adds to calls that require a checksum (DeleteObjects).
 * Those calls then carry only the Content-MD5 of {@code LegacyMd5Plugin}, as SDKs before 2.30
 * sent: s3proxy 2.6 answers the CRC32 header with 501 NotImplemented, and without this the
 * driver falls back to one DeleteObject per key.
 */
final class Md5OnlySigning implements AuthScheme<AwsCredentialsIdentity> {
    private final AwsV4AuthScheme base = AwsV4AuthScheme.create();
    private final AwsV4HttpSigner signer = base.signer();
    private final BooleanSupplier md5Only;
    private final HttpSigner<AwsCredentialsIdentity> wrapped = new HttpSigner<>() {
        @Override
        public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
            if (md5Only.getAsBoolean() && request.property(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM) != null) {
                return signer.sign(request.toBuilder().putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, null)
                        .build());
            }
            return signer.sign(request);
        }

        @Override
        public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
            return signer.signAsync(request); // the driver's client is synchronous
        }
    };

    Md5OnlySigning(BooleanSupplier md5Only) {
        this.md5Only = md5Only;
    }

    @Override
    public String schemeId() {
        return base.schemeId();
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
        return base.identityProvider(providers);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
        return wrapped;
    }
}
