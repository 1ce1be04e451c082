package io.berth.migrate.copy;

import io.berth.core.reference.RepositoryName;
import java.util.function.Predicate;

/**
 * How {@link StoreCopier} copies one V2 store into another.
 *
 * @param workers          blob copies and link writes in flight at once (and repositories in progress)
 * @param dryRun           plan only: count what would be copied, write nothing
 * @param repositoryFilter which repositories to copy; null copies all
 * @param verify           read every copied blob back from the destination and hash it again
 */
public record CopyOptions(int workers, boolean dryRun, Predicate<RepositoryName> repositoryFilter, boolean verify) {

    public CopyOptions {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (repositoryFilter == null) {
            repositoryFilter = name -> true;
        }
    }
}
