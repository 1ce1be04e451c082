package io.berth.core.reference;

import io.berth.core.digest.Digest;

/** The {@code <reference>} of a manifest URL: a tag or a digest. */
public sealed interface Reference permits Reference.ByTag, Reference.ByDigest {

    record ByTag(Tag tag) implements Reference {
        @Override
        public String toString() {
            return tag.value();
        }
    }

    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }

    /** A string with a colon is a digest (tags cannot hold one); anything else must be a tag. */
    static Reference parse(String s) {
        if (s.indexOf(':') >= 0) {
            return new ByDigest(Digest.parse(s));
        }
        return new ByTag(Tag.of(s));
    }
}
