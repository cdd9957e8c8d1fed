package io.wirelink.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The live view of the mesh: one self-contained HTML page (no external scripts, fonts or styles: nothing to
 * install, nothing fetched from elsewhere) that polls the {@code status} next to it, the agent's {@code /status}
 * JSON, every two seconds and draws the members, the path to each (direct, via relay X, via router), since when,
 * why not direct, handshake ages, the relays on offer and the changes it saw.
 */
public final class MeshPage {
    /** The page's {@code Content-Type}. */
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";
    private static final byte[] PAGE = load();

    private MeshPage() {}

    /** The page's bytes (UTF-8). */
    public static byte[] bytes() {
        return PAGE.clone();
    }

    private static byte[] load() {
        try (InputStream in = MeshPage.class.getResourceAsStream("mesh.html")) {
            if (in == null) {
                throw new IllegalStateException("mesh.html is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
