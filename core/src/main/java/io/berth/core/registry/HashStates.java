package io.berth.core.registry;

import io.berth.core.digest.Digester;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Running hashes of uploads in progress, each valid for exactly the offset it has consumed.
 * Java cannot serialise a MessageDigest's state the way Go writes hashstates, so the state lives
 * here; a miss (restart, other instance) just means the data is re-read once at completion.
 */
final class HashStates {
    private final ConcurrentHashMap<String, Digester> states = new ConcurrentHashMap<>();

    /** The digester for an upload if it covers exactly {@code offset} bytes, else a fresh one at 0 or null. */
    Digester take(String uuid, long offset) {
        Digester d = states.remove(uuid);
        if (d != null && d.count() == offset) {
            return d;
        }
        return offset == 0 ? new Digester(io.berth.core.digest.DigestAlgorithm.SHA256) : null;
    }

    void put(String uuid, Digester d) {
        states.put(uuid, d);
    }

    void remove(String uuid) {
        states.remove(uuid);
    }
}
