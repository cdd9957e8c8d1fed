package io.wirelink.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * wirelink.1 is maintained by hand; this keeps it from drifting from {@code wirelink --help}: the options and the
 * commands it documents are exactly those --help lists.
 */
class ManPageIT {
    private static final Pattern HELP_OPTION = Pattern.compile("(?<![\\w-])(--?[A-Za-z][\\w-]*)");
    private static final Pattern MAN_OPTION = Pattern.compile("\\\\fB((?:\\\\-){1,2}[A-Za-z][\\w\\\\-]*)\\\\fR");

    @Test
    void optionsAndCommandsMatchHelp() throws Exception {
        String help = help();
        String man = Files.readString(Deb.debSrc().resolve("wirelink.1"));
        assertEquals(helpOptions(help), manOptions(section(man, "OPTIONS")),
                "options in --help (left) and under OPTIONS in packaging/src/deb/wirelink.1 (right)");
        assertEquals(helpCommands(help), manCommands(section(man, "COMMANDS")),
                "commands in --help (left) and under COMMANDS in packaging/src/deb/wirelink.1 (right)");
    }

    @Test
    void manPageRendersWithoutWarnings() throws Exception {
        assumeTrue(Deb.onPath("groff"), "groff not installed");
        Deb.Result r = Deb.run(List.of("groff", "-man", "-Tutf8", "-ww", "-z",
                Deb.debSrc().resolve("wirelink.1").toString()));
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err().strip());
    }

    private static String help() throws Exception {
        String jar = System.getProperty("wirelink.agentJar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "agent jar " + jar);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Deb.Result r = Deb.run(List.of(java, "-jar", jar, "--help"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Commands:"), r.out());
        return r.out();
    }

    /** Option names in --help's option table: lines that start with spaces and a dash. */
    static Set<String> helpOptions(String help) {
        Set<String> out = new TreeSet<>();
        for (String line : help.substring(0, help.indexOf("Commands:")).split("\n")) {
            if (!line.matches("\\s+-.*")) {
                continue;
            }
            // the names come before the description, which is two or more spaces after them
            String names = line.strip().split("\\s{2,}")[0];
            Matcher m = HELP_OPTION.matcher(names.replaceAll("=\\S*", ""));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    static Set<String> helpCommands(String help) {
        Set<String> out = new TreeSet<>();
        for (String line : help.substring(help.indexOf("Commands:")).split("\n")) {
            if (line.matches("  \\S.*")) {
                out.add(line.strip().split("\\s+")[0]);
            }
        }
        return out;
    }

    static Set<String> manOptions(String section) {
        Set<String> out = new TreeSet<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("\\fB\\-")) {
                continue; // only .TP tag lines name options; descriptions may mention others
            }
            Matcher m = MAN_OPTION.matcher(line);
            while (m.find()) {
                out.add(m.group(1).replace("\\-", "-"));
            }
        }
        return out;
    }

    static Set<String> manCommands(String section) {
        Set<String> out = new TreeSet<>();
        for (String line : section.split("\n")) {
            if (line.startsWith(".B ")) {
                out.add(line.substring(3).strip().replace("\\-", "-"));
            }
        }
        return out;
    }

    static String section(String man, String name) {
        int start = man.indexOf("\n.SH " + name + "\n");
        assertTrue(start >= 0, "wirelink.1 has no section " + name);
        int end = man.indexOf("\n.SH ", start + 1);
        return man.substring(start, end < 0 ? man.length() : end);
    }
}
