package io.berth.server.it.cloud;

/** {@link CloudServeContract} on S3Mock ({@code storage.s3}). */
class S3MockServeTest extends CloudServeContract {
    @Override
    CloudBackend.Kind kind() {
        return CloudBackend.Kind.S3MOCK;
    }
}
