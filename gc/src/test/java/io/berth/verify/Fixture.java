package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Repository;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The store the verify tests start from: team/app with two images (one with a 6 MiB layer, big
 * enough for the memory-mapped path) and an index of both; team/other with an image that shares
 * the big layer (a cross-repository mount).
 */
final class Fixture {
    static final RepositoryName APP = RepositoryName.of("team/app");
    static final RepositoryName OTHER = RepositoryName.of("team/other");

    final TestStore store;
    final TestStore.Image a;
    final TestStore.Image b;
    final Digest index;
    final TestStore.Image c;

    Fixture(TestStore store) throws IOException {
        this.store = store;
        Repository app = store.repo(APP.value());
        Repository other = store.repo(OTHER.value());
        byte[] big = TestStore.random((6 << 20) + 123, 1);
        a = store.image(app, "a", "v1", big, TestStore.random(1000, 2));
        b = store.image(app, "b", "v2", TestStore.random(2000, 3), TestStore.random(3000, 4));
        index = store.index(app, "multi", a, b);
        c = store.image(other, "c", "latest", big, TestStore.random(5000, 5));
    }

    /** Every blob of the store: 3 configs, 5 distinct layers, 4 manifests. */
    Set<Digest> blobs() {
        Set<Digest> all = new TreeSet<>();
        for (TestStore.Image i : List.of(a, b, c)) {
            all.add(i.manifest());
            all.add(i.config());
            all.addAll(i.layers());
        }
        all.add(index);
        return all;
    }

    /** Blobs team/app reaches: its images, the index and their configs and layers. */
    Set<Digest> appBlobs() {
        Set<Digest> all = new TreeSet<>();
        for (TestStore.Image i : List.of(a, b)) {
            all.add(i.manifest());
            all.add(i.config());
            all.addAll(i.layers());
        }
        all.add(index);
        return all;
    }

    String blobPath(Digest d) {
        return PathLayout.blobData(d);
    }
}
