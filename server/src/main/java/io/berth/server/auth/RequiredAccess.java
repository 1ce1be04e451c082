package io.berth.server.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request needs, decided as distribution's {@code App.authorized} does: GET/HEAD pull;
 * POST/PUT/PATCH pull and push; DELETE delete; a {@code from} parameter (cross-repository mount)
 * adds pull on that repository; the catalog needs {@code registry:catalog:*}; the base route and
 * anything else under {@code /v2/} only authentication. The route patterns are ApiHandler's, so a
 * name is cut from a path exactly as the API will cut it.
 */
public final class RequiredAccess {
    private static final Pattern UPLOAD = Pattern.compile("^(.+)/blobs/uploads/([^/]*)$");
    private static final Pattern TAGS = Pattern.compile("^(.+)/tags/list$");
    private static final Pattern CONTENT = Pattern.compile("^(.+)/(manifests|blobs|referrers)/([^/]+)$");

    private RequiredAccess() {
    }

    /**
     * Empty when the path is not an API path (outside {@code prefix/v2}), which the API answers 404
     * without looking at credentials.
     */
    public static Optional<List<Access>> of(String method, String path, String prefix, String from) {
        if (!prefix.isEmpty()) {
            if (!path.startsWith(prefix + "/")) {
                return Optional.empty();
            }
            path = path.substring(prefix.length());
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            return Optional.of(List.of());
        }
        if (!path.startsWith("/v2/")) {
            return Optional.empty();
        }
        String rest = path.substring(4);
        if (rest.equals("_catalog")) {
            return Optional.of(List.of(new Access("registry", "catalog", "*")));
        }
        String name = repositoryName(rest);
        if (name == null) {
            return Optional.of(List.of()); // no such route: authenticated clients get the API's 404
        }
        List<Access> out = new ArrayList<>(forMethod(method, name));
        if (from != null && !from.isEmpty()) {
            out.addAll(forMethod("GET", from));
        }
        return Optional.of(List.copyOf(out));
    }

    private static String repositoryName(String rest) {
        for (Pattern p : List.of(UPLOAD, TAGS, CONTENT)) {
            Matcher m = p.matcher(rest);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static List<Access> forMethod(String method, String name) {
        return switch (method) {
            case "GET", "HEAD" -> List.of(Access.repository(name, "pull"));
            case "POST", "PUT", "PATCH" -> List.of(Access.repository(name, "pull"), Access.repository(name, "push"));
            case "DELETE" -> List.of(Access.repository(name, "delete"));
            default -> List.of();
        };
    }
}
