package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tags under {@code _manifests/tags/<tag>/}: the current link and the index of every digest it held. */
public final class TagStore {
    private final Repository repo;

    TagStore(Repository repo) {
        this.repo = repo;
    }

    private StorageDriver driver() {
        return repo.driver();
    }

    private RepositoryName name() {
        return repo.name();
    }

    public Optional<Digest> resolve(Tag tag) throws IOException {
        return Links.read(driver(), PathLayout.tagCurrentLink(name(), tag));
    }

    /** Points the tag at a digest: index entry first, then current, as distribution does. */
    public void tag(Tag tag, Digest digest) throws IOException {
        Links.write(driver(), PathLayout.tagIndexLink(name(), tag, digest), digest);
        Links.write(driver(), PathLayout.tagCurrentLink(name(), tag), digest);
    }

    public boolean untag(Tag tag) throws IOException {
        return Links.deleteIfPresent(driver(), PathLayout.tagDir(name(), tag));
    }

    /** All tags, sorted lexically (the order the spec requires for tags/list). */
    public List<Tag> list() throws IOException {
        List<Tag> out = new ArrayList<>();
        try {
            for (String p : driver().list(PathLayout.tagsDir(name()))) {
                String t = PathLayout.baseName(p);
                if (Tag.isValid(t)) {
                    out.add(new Tag(t));
                }
            }
        } catch (PathNotFoundException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** Tags whose current link points at the digest. */
    public List<Tag> tagsOf(Digest digest) throws IOException {
        List<Tag> out = new ArrayList<>();
        for (Tag t : list()) {
            if (resolve(t).filter(digest::equals).isPresent()) {
                out.add(t);
            }
        }
        return out;
    }
}
