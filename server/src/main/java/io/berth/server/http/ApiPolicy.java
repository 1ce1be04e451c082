package io.berth.server.http;

import java.util.List;
import java.util.Map;

/** The config switches the API honours. */
public record ApiPolicy(boolean deleteEnabled, boolean readOnly, boolean redirectDisabled, boolean relativeUrls,
                        String host, String prefix, Map<String, List<String>> headers) {

    public static ApiPolicy defaults() {
        return new ApiPolicy(true, false, true, false, "", "", Map.of());
    }
}
