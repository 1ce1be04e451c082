package io.berth.storage.s3;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

/**
 * Endpoints for an S3-compatible server named by {@code regionendpoint} with path-style
 * addressing: {@code <endpoint>/<bucket>}, the URL the SDK's rule engine arrives at for such a
 * configuration. The SDK evaluates its generated endpoint rules on every request (twice: once
 * more to choose the auth scheme); on a JVM that is warming up, compiling those giant rule
 * methods cost the registry more CPU than the requests themselves (measured with regbench on
 * S3Mock: C2 busy 8 s of every 20 during a manifest-PUT phase). With no auth-scheme attribute on
 * the endpoint the SDK signs with SigV4 for the client's region, as the rules would.
 */
final class PathStyleEndpoints implements S3EndpointProvider {
    private final String base;

    PathStyleEndpoints(URI endpoint) {
        String s = endpoint.toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public CompletableFuture<Endpoint> resolveEndpoint(S3EndpointParams params) {
        String bucket = params.bucket();
        URI url = URI.create(bucket == null ? base : base + "/" + bucket);
        return CompletableFuture.completedFuture(Endpoint.builder().url(url).build());
    }
}
