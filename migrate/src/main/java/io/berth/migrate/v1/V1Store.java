package io.berth.migrate.v1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a V1 store (the Python docker-registry's tree, spec §2) through a storage driver whose
 * root is the store's root: {@code /images/<id>/…} and {@code /repositories/<ns>/<repo>/…}.
 * For S3 that is the bucket with {@code rootdirectory} = the registry's {@code storage_path}.
 */
public final class V1Store {
    public static final String IMAGES = "/images";
    public static final String REPOSITORIES = "/repositories";
    /** Keeps numbers exactly as written when the config is re-serialised. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private final StorageDriver driver;

    public V1Store(StorageDriver driver) {
        this.driver = driver;
    }

    public StorageDriver driver() {
        return driver;
    }

    /** True when the driver's root looks like a V1 store. */
    public static boolean looksLikeV1(StorageDriver driver) throws IOException {
        for (String p : driver.list("/")) {
            if (p.equals(IMAGES) || p.equals(REPOSITORIES)) {
                return true;
            }
        }
        return false;
    }

    /** A repository directory: {@code repositories/<namespaceDir>/<repositoryDir>} (both as stored). */
    public record RepoDir(String namespaceDir, String repositoryDir) {
        public String path() {
            return REPOSITORIES + "/" + namespaceDir + "/" + repositoryDir;
        }

        /** The V1 name as stored, for reports: {@code ns/repo} before decoding. */
        public String raw() {
            return namespaceDir + "/" + repositoryDir;
        }
    }

    public List<RepoDir> repositories() throws IOException {
        List<RepoDir> out = new ArrayList<>();
        for (String ns : listOrEmpty(REPOSITORIES)) {
            if (!isDir(ns)) {
                continue;
            }
            for (String repo : listOrEmpty(ns)) {
                if (isDir(repo)) {
                    out.add(new RepoDir(StoragePaths.baseName(ns), StoragePaths.baseName(repo)));
                }
            }
        }
        return out;
    }

    /** File names directly in a repository directory. */
    public List<String> files(RepoDir repo) throws IOException {
        List<String> out = new ArrayList<>();
        for (String p : listOrEmpty(repo.path())) {
            out.add(StoragePaths.baseName(p));
        }
        return out;
    }

    public byte[] read(RepoDir repo, String file) throws IOException {
        return driver.getContent(repo.path() + "/" + file);
    }

    public List<String> imageIds() throws IOException {
        List<String> out = new ArrayList<>();
        for (String p : listOrEmpty(IMAGES)) {
            out.add(StoragePaths.baseName(p));
        }
        return out;
    }

    private static String imageDir(String id) {
        return IMAGES + "/" + id;
    }

    public static String layerPath(String id) {
        return imageDir(id) + "/layer";
    }

    /** The image's metadata, or empty when it has no {@code json} (the image does not exist). */
    public Optional<V1Image> image(String id) throws IOException {
        String dir = imageDir(id);
        byte[] json;
        try {
            json = driver.getContent(dir + "/json");
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        ObjectNode node = null;
        try {
            JsonNode n = JSON.readTree(json);
            if (n instanceof ObjectNode o) {
                node = o;
            }
        } catch (JsonProcessingException e) {
            // json_invalid: reported by the caller
        }
        String parent = null;
        if (node != null && node.hasNonNull("parent") && node.get("parent").isTextual()
                && !node.get("parent").asText().isEmpty()) {
            parent = node.get("parent").asText();
        }
        List<String> checksums = optional(dir + "/_checksum").map(V1Store::parseChecksums).orElse(null);
        List<String> ancestry = optional(dir + "/ancestry").map(V1Store::parseStringList).orElse(null);
        boolean inProgress = exists(dir + "/_inprogress");
        long layerSize = -1;
        try {
            FileInfo fi = driver.stat(dir + "/layer");
            layerSize = fi.isDirectory() ? -1 : fi.size();
        } catch (PathNotFoundException e) {
            // layer_missing
        }
        return Optional.of(new V1Image(id, json, node, parent, checksums, ancestry, inProgress, layerSize));
    }

    public InputStream openLayer(String id) throws IOException {
        return driver.reader(layerPath(id), 0);
    }

    /** {@code _checksum} is a JSON list, a JSON string, or (registry 0.5/0.6) a bare string. */
    static List<String> parseChecksums(byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8).trim();
        try {
            JsonNode n = JSON.readTree(s);
            List<String> out = new ArrayList<>();
            if (n != null && n.isArray()) {
                n.forEach(e -> out.add(e.asText().trim()));
                return out;
            }
            if (n != null && n.isTextual()) {
                return List.of(n.asText().trim());
            }
        } catch (JsonProcessingException e) {
            // a bare string
        }
        return s.isEmpty() ? List.of() : List.of(s);
    }

    private static List<String> parseStringList(byte[] content) {
        try {
            JsonNode n = JSON.readTree(content);
            if (n == null || !n.isArray()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            n.forEach(e -> out.add(e.asText()));
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    private Optional<byte[]> optional(String path) throws IOException {
        try {
            return Optional.of(driver.getContent(path));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String path) throws IOException {
        try {
            driver.stat(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** An entry whose name the driver cannot address (a space, say) counts as a directory, so it is reported, not lost. */
    private boolean isDir(String path) throws IOException {
        try {
            return driver.stat(path).isDirectory();
        } catch (PathNotFoundException e) {
            return false;
        } catch (io.berth.core.storage.InvalidPathException e) {
            return true;
        }
    }

    private List<String> listOrEmpty(String dir) throws IOException {
        try {
            return driver.list(dir);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }
}
