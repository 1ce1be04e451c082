package io.berth.server.it.cloud;

/** {@link CloudServeContract} on Azurite ({@code storage.azure}). */
class AzuriteServeTest extends CloudServeContract {
    @Override
    CloudBackend.Kind kind() {
        return CloudBackend.Kind.AZURITE;
    }
}
