package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a registry lists: its catalog and every repository's tag list, for comparing two registries over one store. */
public final class RegistryListings {
    private RegistryListings() {
    }

    /**
     * The catalog and every repository's tag list, as parsed JSON keyed by "_catalog" / repository;
     * a tag list answered 404 is recorded as its status and error code.
     */
    public static Map<String, JsonNode> of(String baseUrl) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Http.Response catalog = Http.get(baseUrl + "/v2/_catalog");
        assertEquals(200, catalog.status(), catalog.toString());
        JsonNode c = TestImages.parseJson(catalog.body());
        out.put("_catalog", c);
        for (JsonNode repo : c.path("repositories")) {
            Http.Response tags = Http.get(baseUrl + "/v2/" + repo.asText() + "/tags/list");
            if (tags.status() == 404) {
                // a repository whose last tag went with its manifest: distribution answers NAME_UNKNOWN
                JsonNode err = TestImages.parseJson(tags.body());
                out.put(repo.asText(), TestImages.parseJson(("{\"status\":404,\"code\":\""
                        + err.path("errors").path(0).path("code").asText() + "\"}").getBytes(StandardCharsets.UTF_8)));
                continue;
            }
            assertEquals(200, tags.status(), tags.toString());
            out.put(repo.asText(), TestImages.parseJson(tags.body()));
        }
        return out;
    }
}
