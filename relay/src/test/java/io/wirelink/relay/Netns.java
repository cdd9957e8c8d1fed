package io.wirelink.relay;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Moves the calling thread into a named network namespace with setns(2), so that the sockets it opens afterwards
 * live there (a network namespace is per thread in Linux). For tests that run the Java relay inside a lab host.
 */
final class Netns {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final class Holder {
        static final LibC C = Native.load("c", LibC.class);
    }

    private Netns() {}

    /** Enters {@code /run/netns/NAME} (made by {@code ip netns add NAME}) on the calling thread. */
    static void enter(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("bad namespace name " + name);
        }
        int fd;
        try {
            fd = Holder.C.open("/run/netns/" + name, O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot open network namespace " + name + ": errno " + e.getErrorCode(), e);
        }
        try {
            Holder.C.setns(fd, CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new IllegalStateException("setns into " + name + " failed: errno " + e.getErrorCode(), e);
        } finally {
            try {
                Holder.C.close(fd);
            } catch (LastErrorException e) {
                // the descriptor is gone either way
            }
        }
    }
}
