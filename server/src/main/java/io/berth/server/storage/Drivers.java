package io.berth.server.storage;

import io.berth.core.storage.StorageDriver;
import io.berth.server.config.ConfigException;
import io.berth.server.config.RegistryConfig;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Builds the storage driver config.yml names, checking its parameters. */
public final class Drivers {
    private Drivers() {
    }

    public static StorageDriver fromConfig(RegistryConfig config) {
        String name = config.storageDriver();
        Map<String, Object> params = config.storageParameters();
        return switch (name) {
            case "filesystem" -> {
                only(name, params, Set.of("rootdirectory", "maxthreads"));
                yield new FilesystemDriver(Path.of(config.filesystemRoot()).toAbsolutePath());
            }
            case "inmemory" -> {
                only(name, params, Set.of());
                yield new InMemoryDriver();
            }
            default -> throw new ConfigException("storage." + name + ": unknown storage driver (filesystem, inmemory)");
        };
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
