package io.berth.server.http;

import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.ErrorCode;
import io.berth.core.registry.Registry;
import io.berth.core.registry.RegistryException;
import io.berth.core.registry.Repository;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code tags/list} (end-8) and {@code _catalog}, both paginated with {@code n}/{@code last} and Link. */
final class ListEndpoints {
    /** distribution's default page size for the catalog. */
    static final int DEFAULT_CATALOG_PAGE = 1000;

    private final Registry registry;

    ListEndpoints(Registry registry) {
        this.registry = registry;
    }

    void tags(Exchange ex, RepositoryName name) throws IOException {
        Repository repo = registry.repository(name);
        // list first: one backend call when there are tags; only an empty list needs telling
        // a repository without tags from no repository
        List<Tag> tags = repo.tags().list();
        if (tags.isEmpty() && !repo.exists()) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + name + " is not known",
                    Map.of("name", name.value()));
        }
        Integer n = pageSize(ex);
        String last = ex.query("last");
        List<String> page = new ArrayList<>();
        boolean more = false;
        for (Tag t : tags) {
            if (last != null && t.value().compareTo(last) <= 0) {
                continue;
            }
            if (n != null && page.size() >= n) {
                more = true;
                break;
            }
            page.add(t.value());
        }
        if (more && !page.isEmpty()) {
            link(ex, "/v2/" + name + "/tags/list", n, page.get(page.size() - 1));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name.value());
        body.put("tags", page);
        ex.sendJson(200, body);
    }

    void catalog(Exchange ex) throws IOException {
        Integer n = pageSize(ex);
        int limit = n == null ? DEFAULT_CATALOG_PAGE : n;
        String last = ex.query("last");
        // one more than the page tells whether there is a next page; n=Integer.MAX_VALUE must not overflow
        List<RepositoryName> repos = registry.catalog(last, limit == Integer.MAX_VALUE ? limit : limit + 1);
        boolean more = repos.size() > limit;
        List<String> page = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, repos.size()); i++) {
            page.add(repos.get(i).value());
        }
        if (more && !page.isEmpty()) {
            link(ex, "/v2/_catalog", limit, page.get(page.size() - 1));
        }
        ex.sendJson(200, Map.of("repositories", page));
    }

    private static Integer pageSize(Exchange ex) {
        String n = ex.query("n");
        if (n == null || n.isEmpty()) {
            return null;
        }
        try {
            int v = Integer.parseInt(n);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "invalid page size n=" + n,
                    Map.of("n", n));
        }
    }

    private static void link(Exchange ex, String path, Integer n, String last) {
        StringBuilder q = new StringBuilder(path).append("?");
        if (n != null) {
            q.append("n=").append(n).append("&");
        }
        q.append("last=").append(URLEncoder.encode(last, StandardCharsets.UTF_8));
        ex.setHeader("Link", "<" + q + ">; rel=\"next\"");
    }
}
