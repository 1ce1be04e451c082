package io.berth.server.it.cloud;

/** {@link CloudServeContract} on S3Proxy ({@code storage.s3}). */
class S3ProxyServeTest extends CloudServeContract {
    @Override
    CloudBackend.Kind kind() {
        return CloudBackend.Kind.S3PROXY;
    }
}
