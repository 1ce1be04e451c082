package io.berth.core.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.storage.InvalidPathException;
import io.berth.core.storage.StoragePaths;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written scanners for repository names, tags and storage paths accept exactly what the
 * grammars' regular expressions accept: every string up to a length over an alphabet holding
 * each kind of character the grammars tell apart.
 */
class GrammarScannersTest {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    private interface Check {
        void accept(String s);
    }

    /** Calls the check with every string of length 0..maxLen over the alphabet. */
    private static int everyString(String alphabet, int maxLen, Check check) {
        int count = 0;
        char[] buf = new char[maxLen];
        for (int len = 0; len <= maxLen; len++) {
            int[] idx = new int[len];
            while (true) {
                for (int i = 0; i < len; i++) {
                    buf[i] = alphabet.charAt(idx[i]);
                }
                check.accept(new String(buf, 0, len));
                count++;
                int k = len - 1;
                while (k >= 0 && ++idx[k] == alphabet.length()) {
                    idx[k--] = 0;
                }
                if (k < 0) {
                    break;
                }
            }
        }
        return count;
    }

    @Test
    void repositoryNamesAsTheRegex() {
        int n = everyString("a0._-/A", 7, s ->
                assertEquals(NAME.matcher(s).matches(), RepositoryName.isValid(s), () -> "name '" + s + "'"));
        assertEquals(960_800, n);
    }

    @Test
    void tagsAsTheRegex() {
        everyString("aZ0_.-/", 6, s -> assertEquals(TAG.matcher(s).matches(), Tag.isValid(s), () -> "tag '" + s + "'"));
        String longest = "a".repeat(128);
        assertEquals(true, Tag.isValid(longest));
        assertEquals(false, Tag.isValid(longest + "a"));
    }

    @Test
    void storagePathsAsTheRegexWithoutDotSegments() {
        Pattern path = Pattern.compile("^(/[A-Za-z0-9._%-]+)+$");
        everyString("/a.%-_ ", 6, s -> {
            boolean expected = path.matcher(s).matches() && !s.contains("/./") && !s.contains("/../")
                    && !s.endsWith("/.") && !s.endsWith("/..");
            boolean actual;
            try {
                StoragePaths.check(s);
                actual = true;
            } catch (InvalidPathException e) {
                actual = false;
            }
            assertEquals(expected, actual, () -> "path '" + s + "'");
        });
    }
}
