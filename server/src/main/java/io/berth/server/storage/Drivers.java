package io.berth.server.storage;

import io.berth.core.storage.StorageDriver;
import io.berth.server.config.ConfigException;
import io.berth.server.config.RegistryConfig;
import io.berth.storage.azure.AzureDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import io.berth.storage.s3.S3Driver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Builds the storage driver config.yml names, checking its parameters and, at start-up, its access. */
public final class Drivers {
    private Drivers() {
    }

    public static StorageDriver fromConfig(RegistryConfig config) {
        String name = config.storageDriver();
        Map<String, Object> params = config.storageParameters();
        try {
            return switch (name) {
                case "filesystem" -> {
                    only(name, params, Set.of("rootdirectory", "maxthreads"));
                    yield new FilesystemDriver(Path.of(config.filesystemRoot()).toAbsolutePath());
                }
                case "inmemory" -> {
                    only(name, params, Set.of());
                    yield new InMemoryDriver();
                }
                case "s3" -> S3Driver.fromParameters(params);
                case "azure" -> AzureDriver.fromParameters(params);
                default -> throw new ConfigException("storage." + name
                        + ": unknown storage driver (filesystem, inmemory, s3, azure)");
            };
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Fails start-up with a message naming the key when the backend cannot be reached or refuses
     * the credentials, rather than answering the first push with a 500.
     */
    public static void checkAccess(StorageDriver driver) {
        try {
            driver.checkAccess();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static void only(String driver, Map<String, Object> params, Set<String> allowed) {
        for (String k : params.keySet()) {
            if (!allowed.contains(k)) {
                throw new ConfigException("storage." + driver + "." + k + ": unknown parameter for the " + driver
                        + " driver");
            }
        }
    }
}
