package io.berth.server.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing a request needs: an action on a typed resource, as distribution's {@code auth.Access}
 * ({@code repository:team/app:push}, {@code registry:catalog:*}).
 */
public record Access(String type, String name, String action) {

    public static Access repository(String name, String action) {
        return new Access("repository", name, action);
    }

    /** {@code type:name:action}, the form of one silly-auth scope. */
    public String scope() {
        return type + ":" + name + ":" + action;
    }

    /** distribution's JSON for it in the UNAUTHORIZED error's detail (Go field names, no tags). */
    Map<String, String> detail() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", type);
        m.put("Class", "");
        m.put("Name", name);
        m.put("Action", action);
        return m;
    }
}
