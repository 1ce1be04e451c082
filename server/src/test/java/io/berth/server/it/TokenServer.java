package io.berth.server.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.berth.server.auth.TestTokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Docker token server, as Docker Hub's or docker_auth's, for the tests: {@code GET /token?service=
 * &scope=repository:NAME:pull,push} with optional Basic credentials answers
 * {@code {"token": ..., "access_token": ...}} granting the requested actions the user's policy
 * allows (anonymous users get a token granting nothing).
 */
public final class TokenServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user: password and, per repository name, the actions they may have. */
    public record User(String password, Map<String, Set<String>> actions) {
    }

    private final HttpServer server;
    private final TestTokens tokens;
    private final Map<String, User> users;
    /** Every scope string asked for, in order (to assert what clients requested). */
    public final List<String> requestedScopes = new CopyOnWriteArrayList<>();

    public TokenServer(TestTokens tokens, Map<String, User> users) throws IOException {
        this.tokens = tokens;
        this.users = users;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/token", this::token);
        server.start();
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            String user = authenticate(ex.getRequestHeaders().getFirst("Authorization"));
            if (user == null) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : queryValues(ex.getRequestURI().getRawQuery(), "scope")) {
                for (String one : scope.split(" ")) {
                    String[] p = one.split(":");
                    if (p.length != 3 || !p[0].equals("repository")) {
                        continue;
                    }
                    requestedScopes.add(one);
                    List<String> granted = new ArrayList<>();
                    Set<String> allowed = user.isEmpty() ? Set.of() : users.get(user).actions().getOrDefault(p[1], Set.of());
                    for (String a : p[2].split(",")) {
                        if (allowed.contains(a) || allowed.contains("*")) {
                            granted.add(a);
                        }
                    }
                    access.add(TestTokens.repo(p[1], granted.toArray(String[]::new)));
                }
            }
            String token = tokens.issue(user.isEmpty() ? "anonymous" : user, access);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token", token);
            body.put("access_token", token);
            body.put("expires_in", 300);
            byte[] b = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
        }
    }

    /** The user name, "" for anonymous, null for wrong credentials. */
    private String authenticate(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return "";
        }
        String[] up = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8).split(":", 2);
        User u = users.get(up[0]);
        return u != null && up.length == 2 && u.password().equals(up[1]) ? up[0] : null;
    }

    private static List<String> queryValues(String rawQuery, String name) {
        List<String> out = new ArrayList<>();
        if (rawQuery == null) {
            return out;
        }
        for (String kv : rawQuery.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                out.add(URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
