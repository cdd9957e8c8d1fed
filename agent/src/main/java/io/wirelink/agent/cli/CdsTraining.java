package io.wirelink.agent.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * {@code --cds-training}, run by the launcher under {@code -XX:ArchiveClassesAtExit} (bin/wirelink --make-cds):
 * loads, without initialising, every class named in {@code cds-classes.txt}, the classes the agent and the CLI
 * were seen to load (bench/footprint --class-list writes it). Nothing runs, so this needs no root, no interface and
 * has no side effects; the JVM then archives what was loaded. A name the jar no longer has is skipped, and a class
 * missing from the list is merely loaded the slow way.
 */
final class CdsTraining {
    static final String LIST = "/io/wirelink/agent/cds-classes.txt";

    private CdsTraining() {}

    static int run(java.io.PrintWriter err) throws IOException {
        ClassLoader loader = CdsTraining.class.getClassLoader();
        int loaded = 0;
        int missing = 0;
        try (InputStream in = CdsTraining.class.getResourceAsStream(LIST)) {
            if (in == null) {
                err.println("wirelink: " + LIST + " is not in the jar");
                return 1;
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                try {
                    Class.forName(name, false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError e) {
                    missing++;
                }
            }
        }
        err.println("wirelink: loaded " + loaded + " classes for the archive (" + missing + " not found)");
        return 0;
    }
}
