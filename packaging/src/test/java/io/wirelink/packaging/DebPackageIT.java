package io.wirelink.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The built .deb: its control fields, its file list (the same list build-deb checks, read back with dpkg-deb), the
 * launcher's jar path, a jar without the developer tools, and lintian's verdict.
 */
class DebPackageIT {
    /** Lintian warnings that are justified, each for the reason next to it. */
    static final Set<String> ACCEPTED_LINTIAN = Set.of(
            // wl-quick@ is wanted by wg-quick@ on purpose: starting the interface starts its agent
            "systemd-service-file-refers-to-unusual-wantedby-target",
            // BouncyCastle's multi-release classes for Java 25; bookworm's lintian does not know class version 69
            "unknown-java-class-version");

    @Test
    void fileNameCarriesTheDebianVersionOfTheMavenVersion() throws Exception {
        String version = System.getProperty("wirelink.version", "0.1.0-SNAPSHOT");
        String debVersion = version.replace('-', '~');
        assertEquals("wirelink_" + debVersion + "_all.deb", Deb.theDeb().getFileName().toString());
        assertEquals(debVersion, field("Version"));
    }

    @Test
    void controlFieldsAreThePinnedOnes() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("Package", "wirelink");
        expected.put("Architecture", "all");
        expected.put("Depends", "default-jre-headless (>= 2:1.17) | java17-runtime-headless, wireguard-tools");
        expected.put("Section", "net");
        expected.put("Priority", "optional");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), field(e.getKey()), e.getKey());
        }
        Deb.Result all = Deb.run(List.of("dpkg-deb", "-f", Deb.theDeb().toString()));
        Set<String> names = new TreeSet<>();
        for (String line : all.out().split("\n")) {
            if (!line.isEmpty() && !line.startsWith(" ")) {
                names.add(line.substring(0, line.indexOf(':')));
            }
        }
        // nothing recommended or suggested that the agent does not need
        assertEquals(new TreeSet<>(List.of("Package", "Version", "Architecture", "Maintainer", "Installed-Size",
                "Depends", "Section", "Priority", "Description")), names);
        assertTrue(Integer.parseInt(field("Installed-Size")) > 1000, "Installed-Size counts the jar (KiB)");
    }

    @Test
    void openJdk17SatisfiesTheJavaDependency() throws Exception {
        assumeTrue(Deb.onPath("apt-cache"), "apt-cache not installed");
        Deb.Result show = Deb.run(List.of("apt-cache", "show", "openjdk-17-jre-headless"));
        assumeTrue(show.status() == 0 && !show.out().isBlank(), "apt has no openjdk-17-jre-headless (apt-get update)");
        assertTrue(show.out().lines().anyMatch(l -> l.startsWith("Provides:") && l.contains("java17-runtime-headless")),
                "openjdk-17-jre-headless provides java17-runtime-headless");
    }

    @Test
    void fileListIsExactlyThePinnedOne() throws Exception {
        Deb.Result listing = Deb.run(List.of("dpkg-deb", "-c", Deb.theDeb().toString()));
        assertEquals(0, listing.status(), listing.err());
        Set<String> actual = new TreeSet<>();
        for (String line : listing.out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[5].equals("./")) {
                continue;
            }
            actual.add(f[0] + " " + f[1] + " " + f[5].replaceFirst("^\\./", "/").replaceFirst("/$", ""));
        }
        Set<String> expected = new TreeSet<>();
        for (String line : Files.readAllLines(Deb.debSrc().resolve("contents"))) {
            String l = line.replaceFirst("#.*", "").trim();
            if (!l.isEmpty()) {
                expected.add(l);
            }
        }
        assertEquals(expected, actual);
        assertTrue(actual.contains("-rwxr-xr-x root/root /usr/bin/wirelink"));
        assertTrue(actual.contains("-rw-r--r-- root/root /lib/systemd/system/wl-quick@.service"));
    }

    @Test
    void maintainerScriptsAndTriggerAreInTheControlArchive() throws Exception {
        Path dir = Files.createTempDirectory("deb-e");
        try {
            Deb.Result e = Deb.run(List.of("dpkg-deb", "-e", Deb.theDeb().toString(), dir.toString()));
            assertEquals(0, e.status(), e.err());
            Set<String> names = new TreeSet<>();
            try (var s = Files.list(dir)) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            }
            assertEquals(new TreeSet<>(List.of("control", "md5sums", "postinst", "prerm", "postrm", "triggers")), names);
            for (String script : List.of("postinst", "prerm", "postrm")) {
                assertTrue(Files.isExecutable(dir.resolve(script)), script);
                assertEquals(0, Deb.run(List.of("sh", "-n", dir.resolve(script).toString())).status(), script);
            }
            // purge removes the state and the launcher's cache (the VM scenario checks what each script does)
            String postrm = Files.readString(dir.resolve("postrm"));
            assertTrue(postrm.contains("rm -rf /var/lib/wirelink /var/cache/wirelink"), postrm);
        } finally {
            Deb.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    @Test
    void launcherRunsThePackagedJarUnlessWirelinkJarIsSet() throws Exception {
        Path dir = Files.createTempDirectory("deb-x");
        try {
            Deb.Result x = Deb.run(List.of("dpkg-deb", "-x", Deb.theDeb().toString(), dir.toString()));
            assertEquals(0, x.status(), x.err());
            String launcher = Files.readString(dir.resolve("usr/bin/wirelink"));
            assertTrue(launcher.lines().anyMatch(
                    l -> l.equals("jar=\"${WIRELINK_JAR:-/usr/share/wirelink/wirelink-all.jar}\"")), launcher);
            // the extracted launcher, pointed at the extracted jar, runs
            Deb.Result version = Deb.run(List.of("env",
                    "WIRELINK_JAR=" + dir.resolve("usr/share/wirelink/wirelink-all.jar"),
                    dir.resolve("usr/bin/wirelink").toString(), "--version"));
            assertEquals(0, version.status(), version.err());
            assertTrue(version.out().startsWith("wirelink " + System.getProperty("wirelink.version", "")),
                    version.out());
            String unit = Files.readString(dir.resolve("lib/systemd/system/wirelink@.service"));
            assertTrue(unit.contains("ExecStart=/usr/bin/wirelink --iface %i"), unit);
        } finally {
            Deb.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    @Test
    void theJarCarriesTheDaemonAndNoDeveloperTools() throws Exception {
        Path jar = Files.createTempFile("deb-jar", ".jar");
        List<String> names;
        try {
            Deb.Result x = Deb.run(List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -xO "
                    + "./usr/share/wirelink/wirelink-all.jar > \"$2\"", "sh", Deb.theDeb().toString(), jar.toString()));
            assertEquals(0, x.status(), x.err());
            try (ZipFile z = new ZipFile(jar.toFile())) {
                names = z.stream().map(ZipEntry::getName).toList();
            }
        } finally {
            Files.deleteIfExists(jar);
        }
        assertTrue(names.contains("io/wirelink/agent/Main.class"), "the daemon's main class is in the jar");
        // the simulator's world, the lab and the tools module stay in the checkout (tools/)
        assertEquals(List.of(), names.stream().filter(n -> n.matches("io/wirelink/(sim|lab|tools)/.*")).toList());
        Deb.Result launcher = Deb.run(List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -xO ./usr/bin/wirelink",
                "sh", Deb.theDeb().toString()));
        assertTrue(launcher.out().lines().anyMatch(l -> l.equals("tools=")), "no tools jar:\n" + launcher.out());
    }

    @Test
    void lintianFindsNoErrorAndOnlyJustifiedWarnings() throws Exception {
        assumeTrue(Deb.onPath("lintian"), "lintian not installed (scripts/install-deps installs it)");
        Deb.Result lintian = Deb.run(List.of("lintian", "--pedantic", Deb.theDeb().toString()));
        List<String> findings = new ArrayList<>();
        for (String line : lintian.out().split("\n")) {
            if (line.matches("[EWXP]: wirelink.*")) {
                String tag = line.split("\\s+")[2];
                if (!(line.startsWith("W:") && ACCEPTED_LINTIAN.contains(tag))) {
                    findings.add(line);
                }
            }
        }
        assertEquals(List.of(), findings, lintian.out() + lintian.err());
        assertTrue(lintian.err().lines().noneMatch(l -> l.startsWith("E:")), lintian.err());
    }

    private static String field(String name) throws Exception {
        Deb.Result r = Deb.run(List.of("dpkg-deb", "-f", Deb.theDeb().toString(), name));
        assertEquals(0, r.status(), r.err());
        return r.out().strip();
    }
}
