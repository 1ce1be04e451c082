package io.berth.server.metrics;

import io.berth.server.http.ApiListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open upload sessions as this instance knows them: started or resumed here, not yet completed,
 * cancelled or purged. (Sessions another instance started count once a chunk arrives here.)
 */
public final class UploadSessions implements ApiListener {
    private final Set<String> open = ConcurrentHashMap.newKeySet();

    @Override
    public void uploadOpened(String uuid) {
        open.add(uuid);
    }

    @Override
    public void uploadClosed(String uuid) {
        open.remove(uuid);
    }

    public int count() {
        return open.size();
    }
}
