package io.berth.migrate;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.migrate.v1.V1Store;
import java.io.IOException;
import java.util.Optional;

/** The layout of a source store: a legacy V1 tree or a distribution (V2) tree. */
public enum SourceFormat {
    V1, V2;

    /** V2 when {@code /docker/registry/v2} exists, V1 when {@code /images} or {@code /repositories} does. */
    public static Optional<SourceFormat> detect(StorageDriver driver) throws IOException {
        try {
            if (driver.stat(PathLayout.ROOT).isDirectory()) {
                return Optional.of(V2);
            }
        } catch (PathNotFoundException e) {
            // not V2
        }
        return V1Store.looksLikeV1(driver) ? Optional.of(V1) : Optional.empty();
    }
}
