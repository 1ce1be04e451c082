package io.berth.migrate.v1;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Path components of a V1 store, as the Python registry escaped them (spec §1.1): from 0.8.1 on
 * every component went through {@code quote_plus}, and the part of a repository name after the
 * namespace was quoted once more by {@code parse_repository_name}, so {@code a/b/c} is stored as
 * {@code repositories/a/b%252Fc}.
 */
public final class V1Names {
    private static final Pattern ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{16}|[a-f0-9]{64}");

    private V1Names() {
    }

    /** Python's {@code unquote_plus}: {@code +} is a space, {@code %xx} a byte; UTF-8. */
    public static String unquotePlus(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%' && i + 2 < s.length() && ESCAPE.matcher(s.substring(i, i + 3)).matches()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A namespace or tag file name: decoded once. */
    public static String decodeOnce(String component) {
        return unquotePlus(component);
    }

    /** A repository directory name: decoded while it still holds {@code %xx} (double-quoted since 0.8.1). */
    public static String decodeRepository(String component) {
        String s = unquotePlus(component);
        for (int i = 0; i < 4 && ESCAPE.matcher(s).find(); i++) {
            s = unquotePlus(s);
        }
        return s;
    }

    public static boolean isEscaped(String component) {
        return ESCAPE.matcher(component).find() || component.indexOf('+') >= 0;
    }

    /** A V1 image id the registry accepted from 0.9.1 on: 16 or 64 lower-case hex digits. */
    public static boolean isImageId(String s) {
        return s != null && IMAGE_ID.matcher(s).matches();
    }
}
