package io.berth.migrate;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code --repository} patterns: {@code *} matches within one path component, {@code **} across
 * components, {@code ?} one character. No pattern matches everything.
 */
public final class RepositoryGlob {
    private final List<Pattern> patterns;

    public RepositoryGlob(List<String> globs) {
        this.patterns = globs == null ? List.of() : globs.stream().map(RepositoryGlob::compile).toList();
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** True when any name given (V1 or V2 spelling; nulls ignored) matches any pattern. */
    public boolean matches(String... names) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (String n : names) {
            if (n != null && patterns.stream().anyMatch(p -> p.matcher(n).matches())) {
                return true;
            }
        }
        return false;
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
