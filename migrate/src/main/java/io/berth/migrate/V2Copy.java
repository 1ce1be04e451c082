package io.berth.migrate;

import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.job.Progress;
import java.util.function.Predicate;

/**
 * The V2 → V2 copy, as {@code berth migrate} calls it when the source is a V2 store. It stands
 * for {@code io.berth.migrate.copy.StoreCopier} (written on another branch):
 * {@code new StoreCopier(source, destination, new CopyOptions(workers, dryRun, filter, true)).run(progress)}.
 */
@FunctionalInterface
public interface V2Copy {

    /** @return the copy's JSON-serialisable report (StoreCopier's CopyReport) */
    Object copy(StorageDriver source, StorageDriver destination, int workers, boolean dryRun,
                Predicate<RepositoryName> repositoryFilter, Progress progress) throws Exception;
}
