package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.OCI_MANIFEST;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.pushBlobs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.http.Fixtures.Image;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** tags/list (end-8) and _catalog, both with n/last pagination and Link headers. */
class ListApiTest extends ApiTestBase {
    static final String REPO = "list/me";
    static final Pattern LINK = Pattern.compile("^<([^>]+)>;\\s*rel=\"next\"$");

    static final List<String> TAGS = List.of("b", "a", "A", "_x", "1.0", "1.10", "1.9", "latest", "Z", "a-b",
            "a.b", "a_b", "0", "v1.2.3-rc.1");

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Pushes one image and tags it with every tag in order. */
    void pushTags(String repo, List<String> tags) {
        Image img = Fixtures.ociImage(60);
        pushBlobs(api, repo, img);
        for (String t : tags) {
            expect(201, api.put("/v2/" + repo + "/manifests/" + t, img.manifest(), "Content-Type", OCI_MANIFEST));
        }
    }

    /** The next-page URL of a Link header, or null. */
    static String next(Api.Resp r) {
        String link = r.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = LINK.matcher(link.trim());
        if (!m.matches()) {
            fail("malformed Link header: " + link);
        }
        return m.group(1);
    }

    /** Follows Link headers from the first URL, returning every entry seen, in order. */
    List<String> collect(String first, String field, int pageSize) {
        List<String> all = new ArrayList<>();
        String url = first;
        int pages = 0;
        while (url != null) {
            Api.Resp r = expect(200, api.get(url));
            List<String> page = strings(r.json().get(field));
            assertTrue(page.size() <= pageSize, () -> "page larger than n: " + r);
            all.addAll(page);
            url = next(r);
            if (url != null) {
                assertEquals(pageSize, page.size(), () -> "a short page with a Link: " + r);
                assertTrue(url.contains("n=" + pageSize), url);
            }
            assertTrue(++pages < 1000, "pagination does not end");
        }
        return all;
    }

    // ------------------------------------------------------------------ tags

    @Test
    void tagsAreSortedLexically() {
        pushTags(REPO, TAGS);
        Api.Resp r = expect(200, api.get("/v2/" + REPO + "/tags/list"));
        assertTrue(r.header("Content-Type").startsWith("application/json"), r::toString);
        assertEquals(REPO, r.json().get("name").asText());
        List<String> sorted = new ArrayList<>(TAGS);
        sorted.sort(null);
        assertEquals(List.of("0", "1.0", "1.10", "1.9", "A", "Z", "_x", "a", "a-b", "a.b", "a_b", "b", "latest",
                "v1.2.3-rc.1"), sorted);
        assertEquals(sorted, strings(r.json().get("tags")));
        assertNull(r.header("Link"));
    }

    @Test
    void tagsPagination() {
        pushTags(REPO, TAGS);
        List<String> sorted = new ArrayList<>(TAGS);
        sorted.sort(null);
        for (int n = 1; n <= TAGS.size() + 1; n++) {
            assertEquals(sorted, collect("/v2/" + REPO + "/tags/list?n=" + n, "tags", n), "n=" + n);
        }
        Api.Resp r = expect(200, api.get("/v2/" + REPO + "/tags/list?n=2"));
        assertEquals(List.of("0", "1.0"), strings(r.json().get("tags")));
        assertEquals("/v2/" + REPO + "/tags/list?n=2&last=1.0", next(r));

        // last alone, last between entries, last past the end
        assertEquals(sorted.subList(sorted.indexOf("_x") + 1, sorted.size()),
                strings(expect(200, api.get("/v2/" + REPO + "/tags/list?last=_x")).json().get("tags")));
        assertEquals(List.of("a", "a-b"),
                strings(expect(200, api.get("/v2/" + REPO + "/tags/list?n=2&last=_z")).json().get("tags")));
        r = expect(200, api.get("/v2/" + REPO + "/tags/list?n=5&last=zzz"));
        assertEquals(List.of(), strings(r.json().get("tags")));
        assertNull(r.header("Link"));
        // exactly the remaining number: no Link
        r = expect(200, api.get("/v2/" + REPO + "/tags/list?n=2&last=latest"));
        assertEquals(List.of("v1.2.3-rc.1"), strings(r.json().get("tags")));
        assertNull(r.header("Link"));
        r = expect(200, api.get("/v2/" + REPO + "/tags/list?n=1&last=latest"));
        assertEquals(List.of("v1.2.3-rc.1"), strings(r.json().get("tags")));
        assertNull(r.header("Link"));
    }

    @Test
    void zeroPageSize() {
        pushTags(REPO, TAGS);
        Api.Resp r = expect(200, api.get("/v2/" + REPO + "/tags/list?n=0"));
        assertEquals(List.of(), strings(r.json().get("tags")));
    }

    @Test
    void invalidPageSize() {
        pushTags(REPO, List.of("a"));
        for (String n : new String[] {"abc", "-1", "1.5", "99999999999999999999", "0x10"}) {
            expectError(400, "PAGINATION_NUMBER_INVALID", api.get("/v2/" + REPO + "/tags/list?n=" + n));
            expectError(400, "PAGINATION_NUMBER_INVALID", api.get("/v2/_catalog?n=" + n));
        }
    }

    @Test
    void unknownRepository() {
        expectError(404, "NAME_UNKNOWN", api.get("/v2/no/such/tags/list"));
        // blobs alone do not make a repository
        pushBlob(api, "blobs/only", new byte[] {1});
        expectError(404, "NAME_UNKNOWN", api.get("/v2/blobs/only/tags/list"));
        // a prefix of a repository is not one
        pushTags(REPO, List.of("a"));
        expectError(404, "NAME_UNKNOWN", api.get("/v2/list/tags/list"));
    }

    @Test
    void repositoryWithoutTags() {
        Image img = Fixtures.ociImage(61);
        pushBlobs(api, REPO, img);
        expect(201, api.put("/v2/" + REPO + "/manifests/" + img.digest(), img.manifest(),
                "Content-Type", OCI_MANIFEST));
        assertEquals(List.of(), strings(expect(200, api.get("/v2/" + REPO + "/tags/list")).json().get("tags")));
        expect(201, api.put("/v2/" + REPO + "/manifests/only", img.manifest(), "Content-Type", OCI_MANIFEST));
        expect(202, api.delete("/v2/" + REPO + "/manifests/only"));
        assertEquals(List.of(), strings(expect(200, api.get("/v2/" + REPO + "/tags/list")).json().get("tags")));
    }

    @Test
    void tagNamedLikeAnEndpoint() {
        // "list" as a repository component and as a tag must not confuse routing
        pushTags("a/tags", List.of("list", "tags"));
        assertEquals(List.of("list", "tags"),
                strings(expect(200, api.get("/v2/a/tags/tags/list")).json().get("tags")));
        expect(200, api.get("/v2/a/tags/manifests/list"));
    }

    // ------------------------------------------------------------------ catalog

    static final List<String> REPOS = List.of("b", "a", "a/b", "a-b", "a/0", "library/ubuntu", "a/b/c", "z9", "0",
            "a.b", "a_b", "a__b", "x/y/z/w");
    static final List<String> CATALOG_ORDER = List.of("0", "a", "a/0", "a/b", "a/b/c", "a-b", "a.b", "a__b", "a_b",
            "b", "library/ubuntu", "x/y/z/w", "z9");

    void pushRepos() {
        Image img = Fixtures.ociImage(62);
        for (String repo : REPOS) {
            Fixtures.pushImage(api, repo, "latest", img);
        }
        pushBlob(api, "blobs/only", new byte[] {2}); // not a repository for the catalog
        expect(202, api.post("/v2/uploads/only/blobs/uploads/", null)); // nor is an upload
    }

    @Test
    void hugePageSizes() {
        pushRepos();
        pushTags(REPO, TAGS);
        for (String n : new String[] {"1000", "1001", "2147483646", "2147483647"}) {
            Api.Resp c = expect(200, api.get("/v2/_catalog?n=" + n));
            assertEquals(CATALOG_ORDER.size() + 1, strings(c.json().get("repositories")).size(),
                    () -> "n=" + n + ": " + c);
            assertNull(c.header("Link"));
            Api.Resp t = expect(200, api.get("/v2/" + REPO + "/tags/list?n=" + n));
            assertEquals(TAGS.size(), strings(t.json().get("tags")).size(), () -> "n=" + n + ": " + t);
            assertNull(t.header("Link"));
        }
    }

    @Test
    void emptyCatalog() {
        Api.Resp r = expect(200, api.get("/v2/_catalog"));
        assertEquals(List.of(), strings(r.json().get("repositories")));
        assertNull(r.header("Link"));
    }

    @Test
    void catalogOrder() {
        pushRepos();
        Api.Resp r = expect(200, api.get("/v2/_catalog"));
        assertEquals(CATALOG_ORDER, strings(r.json().get("repositories")));
        assertNull(r.header("Link"));
    }

    @Test
    void catalogPagination() {
        pushRepos();
        for (int n = 1; n <= CATALOG_ORDER.size() + 1; n++) {
            assertEquals(CATALOG_ORDER, collect("/v2/_catalog?n=" + n, "repositories", n), "n=" + n);
        }
        Api.Resp r = expect(200, api.get("/v2/_catalog?n=3"));
        assertEquals(List.of("0", "a", "a/0"), strings(r.json().get("repositories")));
        String link = next(r);
        assertTrue(link.startsWith("/v2/_catalog?"), link);
        assertTrue(link.contains("last=a%2F0") || link.contains("last=a/0"), link);

        assertEquals(List.of("a/b/c", "a-b"),
                strings(expect(200, api.get("/v2/_catalog?n=2&last=a/b")).json().get("repositories")));
        assertEquals(List.of("a/0", "a/b"),
                strings(expect(200, api.get("/v2/_catalog?n=2&last=a")).json().get("repositories")));
        assertEquals(CATALOG_ORDER.subList(CATALOG_ORDER.indexOf("b") + 1, CATALOG_ORDER.size()),
                strings(expect(200, api.get("/v2/_catalog?last=b")).json().get("repositories")));
        // a last that is no repository, between two
        assertEquals(List.of("a-b"),
                strings(expect(200, api.get("/v2/_catalog?n=1&last=a/zzz")).json().get("repositories")));
        r = expect(200, api.get("/v2/_catalog?last=zzzz"));
        assertEquals(List.of(), strings(r.json().get("repositories")));
        assertNull(r.header("Link"));
    }
}
